"""Deterministic synthetic patients: the same seed always gives the same hospital.

The first patients are fixed showcase cases (non-ASCII names, a name that needs HL7 escapes,
an MR-typed id) so that demos and tests can rely on them; the rest are drawn from small name
pools by a seeded random generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

AUTHORITY = "DEMOHOSP"
NATIONAL_AUTHORITY = "NATREG"


@dataclass(frozen=True, slots=True)
class HospitalId:
    value: str
    authority: str
    type_code: str  # PI, MR, NH, AN, VN


@dataclass(frozen=True, slots=True)
class Doctor:
    code: str
    family: str
    given: str
    prefix: str = "Dr."


@dataclass(frozen=True, slots=True)
class SimPatient:
    patient_id: str  # the hospital patient id (PI or MR)
    family: str
    given: str
    birth_date: date
    sex: str  # HL7 table 0001: M, F, O, U
    ids: tuple[HospitalId, ...]
    visit_numbers: tuple[str, ...]
    phone: str
    street: str
    city: str
    postal_code: str
    country: str
    language: str  # ISO 639-1
    doctor: Doctor
    email: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def national_number(self) -> str | None:
        return next((i.value for i in self.ids if i.type_code == "NH"), None)


DOCTORS = (
    Doctor("D1001", "Janssens", "An"),
    Doctor("D1002", "Dubois", "Luc"),
    Doctor("D1003", "Schäfer", "Eva"),
    Doctor("D1004", "Nowak", "Piotr"),
)

# (family, given, sex, language, city, country)
_SHOWCASE = (
    ("Dupré", "Élodie", "F", "fr", "Liège", "BE"),
    ("Großmann", "Jürgen", "M", "de", "Köln", "DE"),
    ("Wałęsa", "Łukasz", "M", "pl", "Gdańsk", "PL"),
    ("山田", "太郎", "M", "ja", "東京", "JP"),
    ("O&Brien", "Siobhán", "F", "en", "Dublin", "IE"),
)
_FAMILIES = (
    "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
    "Vermeulen", "Lefèvre", "Müller", "Kowalski", "Van den Berg", "Ngoc", "Garcia", "Öztürk",
)  # fmt: skip
_GIVENS = (
    ("Noah", "M"), ("Emma", "F"), ("Liam", "M"), ("Olivia", "F"), ("Lucas", "M"), ("Mila", "F"),
    ("Arthur", "M"), ("Louise", "F"), ("Jules", "M"), ("Chloé", "F"), ("Renée", "F"), ("Sam", "U"),
)  # fmt: skip
DUPLICATE_OF = (6, 7)  # patient 7 is a duplicate registration of patient 6's person
_CITIES = (("Gent", "BE"), ("Antwerpen", "BE"), ("Bruxelles", "BE"), ("Leuven", "BE"))
_STREETS = ("Kerkstraat", "Rue de la Gare", "Hauptstraße", "Dorpsplein")
_LANGS = ("nl", "fr", "en", "de")


def patient_id(index: int) -> str:
    return f"{100001 + index}"


def visit_number(index: int, n: int) -> str:
    return f"V{200001 + index:07d}{n}"


def generate(count: int, seed: int = 1) -> list[SimPatient]:
    rng = random.Random(seed)
    patients: list[SimPatient] = []
    for index in range(count):
        if index < len(_SHOWCASE):
            family, given, sex, language, city, country = _SHOWCASE[index]
        else:
            family = rng.choice(_FAMILIES)
            given, sex = rng.choice(_GIVENS)
            city, country = rng.choice(_CITIES)
            language = rng.choice(_LANGS)
        pid = patient_id(index)
        # Every fifth patient's hospital id is typed MR instead of PI, as some HIS do.
        type_code = "MR" if index % 5 == 4 else "PI"
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 80 * 365))
        national = f"{birth:%y%m%d}{rng.randrange(100, 999)}{rng.randrange(10, 99)}"
        if index == DUPLICATE_OF[1]:
            # A duplicate registration of the same person under a second hospital id, so that
            # a search by national number returns two matches (the clinician chooses).
            first = patients[DUPLICATE_OF[0]]
            family, given, sex, birth = first.family, first.given, first.sex, first.birth_date
            national = first.national_number or national
        ids = (
            HospitalId(pid, AUTHORITY, type_code),
            HospitalId(national, NATIONAL_AUTHORITY, "NH"),
            HospitalId(f"A{pid}", AUTHORITY, "AN"),
        )
        visits = tuple(visit_number(index, n) for n in range(1 + index % 2))
        patients.append(
            SimPatient(
                patient_id=pid,
                family=family,
                given=given,
                birth_date=birth,
                sex=sex,
                ids=ids,
                visit_numbers=visits,
                phone="+32 4" + " ".join(str(rng.randrange(10, 99)) for _ in range(4)),
                street=f"{rng.choice(_STREETS)} {rng.randrange(1, 200)}",
                city=city,
                postal_code=f"{rng.randrange(1000, 9999)}",
                country=country,
                language=language,
                doctor=DOCTORS[index % len(DOCTORS)],
                email=f"patient{pid}@example.org" if index % 3 == 0 else None,
            )
        )  # fmt: skip
    return patients


class PatientIndex:
    """Lookups the hospital answers: by patient id, visit number or national number."""

    def __init__(self, patients: list[SimPatient]) -> None:
        self.patients = patients
        self._by_id = {p.patient_id: p for p in patients}
        self._by_visit = {v: p for p in patients for v in p.visit_numbers}
        self._by_national: dict[str, list[SimPatient]] = {}
        for p in patients:
            if p.national_number:
                self._by_national.setdefault(p.national_number, []).append(p)

    def by_patient_id(self, value: str) -> SimPatient | None:
        return self._by_id.get(value)

    def by_visit(self, value: str) -> tuple[SimPatient, str] | None:
        patient = self._by_visit.get(value)
        return (patient, value) if patient else None

    def by_national(self, value: str) -> list[SimPatient]:
        return list(self._by_national.get(value, ()))

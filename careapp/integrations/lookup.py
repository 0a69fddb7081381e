"""Look a patient up at the hospital through the configured source (HL7 A19 or PDQm)."""

from __future__ import annotations

from enum import StrEnum

import requests

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.integrations.config import SOURCES, HospitalConfig
from careapp.integrations.errors import AmbiguousPatient, ConfigurationError, UnknownPatient
from careapp.integrations.hl7.a19 import query_patient
from careapp.integrations.hl7.mllp import KeptConnections, MllpConnection
from careapp.integrations.mapping import HospitalRecord
from careapp.integrations.pdqm import search_patients, session_for

# The process's idle A19 connections: a ward's imports follow one another within minutes, and a
# new connection per query cost as much as the query (careapp.integrations.hl7.mllp).
KEPT_MLLP = KeptConnections()


class IdKind(StrEnum):
    PATIENT_ID = "patient_id"
    VISIT_NUMBER = "visit_number"
    NATIONAL_NUMBER = "national_number"  # PDQm only: A19 queries by patient id or visit

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


def _source(config: HospitalConfig, source: str | None) -> str:
    chosen = source or config.default_source
    if chosen not in SOURCES:
        raise ConfigurationError(f"Unknown import source {chosen!r} (hl7 or pdqm).")
    return chosen


def _identifier(config: HospitalConfig, value: str, kind: IdKind) -> Identifier:
    if kind is IdKind.NATIONAL_NUMBER:
        system = next((r.system for r in config.identifier_rules if r.type_code == "NH"), None)
        if system is None:
            raise ConfigurationError("No identifier system is configured for national numbers.")
    else:
        system = config.visit_number_system if kind is IdKind.VISIT_NUMBER else config.patient_id_system
    try:
        return Identifier(system, value)
    except InvalidIdentifier:
        raise UnknownPatient(kind.label) from None


def look_up(
    config: HospitalConfig, value: str, *, kind: IdKind = IdKind.PATIENT_ID, source: str | None = None
) -> list[HospitalRecord]:
    """One or more matching records (many only from PDQm). Blocking; raises HospitalError.

    Zero matches raise UnknownPatient, so a caller only handles the 1 and the many case.
    """
    value = value.strip()
    if not value:
        raise UnknownPatient(kind.label)
    if _source(config, source) == "hl7":
        if kind is IdKind.NATIONAL_NUMBER:
            raise ConfigurationError("HL7 A19 looks patients up by patient id or visit number only.")
        with KEPT_MLLP.connection(config.hl7_host, config.hl7_port, config.timeout_seconds) as mllp:
            return [query_patient(config, value, visit=kind is IdKind.VISIT_NUMBER, connection=mllp)]
    records = [HospitalRecord(p) for p in search_patients(config, _identifier(config, value, kind))]
    if not records:
        raise UnknownPatient(kind.label)
    return records


class PatientSource:
    """Repeated look-ups by hospital patient id for a batch (the SIU pull).

    Keeps one MLLP connection or HTTP session open, and remembers answers for the run: a
    daily SIU folder often names the same patient several times.
    """

    def __init__(self, config: HospitalConfig, source: str | None = None) -> None:
        self.config = config
        self.source = _source(config, source)
        self._mllp: MllpConnection | None = None
        self._http: requests.Session | None = None
        self._seen: dict[str, HospitalRecord] = {}
        self.queries = 0

    def fetch(self, patient_id: str) -> HospitalRecord:
        if (hit := self._seen.get(patient_id)) is not None:
            return hit
        self.queries += 1
        if self.source == "hl7":
            if self._mllp is None:
                c = self.config
                self._mllp = MllpConnection(c.hl7_host, c.hl7_port, c.timeout_seconds)
            record = query_patient(self.config, patient_id, connection=self._mllp)
        else:
            if self._http is None:
                self._http = session_for(self.config)
            identifier = _identifier(self.config, patient_id, IdKind.PATIENT_ID)
            matches = search_patients(self.config, identifier, session=self._http)
            if not matches:
                raise UnknownPatient(IdKind.PATIENT_ID.label)
            if len(matches) > 1:
                raise AmbiguousPatient(len(matches))
            record = HospitalRecord(matches[0])
        self._seen[patient_id] = record
        return record

    def close(self) -> None:
        if self._mllp is not None:
            self._mllp.close()
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> PatientSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""PDQm against FHIR servers shaped like other vendors' (tests/fhir_peer.py), not our simulator."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID as PID
from careapp.domain.identifiers import DEMO_HOSPITAL_VISIT_NUMBER as VN
from careapp.integrations.config import HospitalConfig, IdentifierRule
from careapp.integrations.errors import (
    AmbiguousPatient,
    HospitalError,
    HospitalTimeout,
    MalformedReply,
    WrongPatient,
)
from careapp.integrations.lookup import IdKind, PatientSource, look_up
from careapp.integrations.pdqm import MAX_PAGES
from careapp.integrations.tests.fhir_peer import FhirPeer, fhir_patient

OTHER = fhir_patient("p2", "Janssens", (PID, "100778"), (VN, "V778"))
WANTED = fhir_patient("p1", "Peeters", (PID, "100777"), (VN, "V777"))


def config(peer: FhirPeer, **changes: object) -> HospitalConfig:
    return HospitalConfig(pdqm_url=peer.url, timeout_seconds=2.0, attempts=1, **changes)


@pytest.mark.parametrize(("value", "kind"), [("100777", IdKind.PATIENT_ID), ("V777", IdKind.VISIT_NUMBER)])
def test_a_server_that_ignores_the_identifier_search_is_refused(value: str, kind: IdKind) -> None:
    with FhirPeer([OTHER], honours_identifier=False) as peer, pytest.raises(WrongPatient) as err:
        look_up(config(peer), value, kind=kind, source="pdqm")
    assert "does not carry the searched id" in str(err.value) and "\n" not in str(err.value)


def test_the_searched_identifier_is_the_one_kept() -> None:
    # The Patient lists an older hospital id first; the one searched for is the one saved.
    both = fhir_patient("p1", "Peeters", (PID, "OLD-1"), (PID, "100777"), (VN, "V1"), (VN, "V777"))
    with FhirPeer([both]) as peer:
        [record] = look_up(config(peer), "V777", kind=IdKind.VISIT_NUMBER, source="pdqm")
    assert record.patient.identifier(VN) == "V777"


def test_the_cli_saves_nothing_for_a_wrong_patient(tmp_path: Path) -> None:
    profile = tmp_path / "ward"

    def careapp(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "careapp", "--profile", str(profile), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    with FhirPeer([OTHER, WANTED], honours_identifier=False) as lenient:
        refused = careapp("import", "--id", "100777", "--pdqm", lenient.url)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "does not carry the searched id" in refused.stderr
    with FhirPeer([OTHER, WANTED]) as honest:
        saved = careapp("import", "--id", "V777", "--visit", "--pdqm", honest.url)
    assert saved.returncode == 0, saved.stderr
    patient = json.loads(saved.stdout)
    assert patient["created"] is True  # the refused import left no patient behind
    assert {"system": PID, "value": "100777"} in patient["patient"]["identifiers"]
    assert {"system": VN, "value": "V777"} in patient["patient"]["identifiers"]


# -- 2. paging and total ---------------------------------------------------------------------

NATIONAL = "urn:oid:2.16.840.1.113883.2.4.6.3"
TWINS = [fhir_patient(f"p{n}", "Peeters", (PID, f"10077{n}"), (NATIONAL, "85073112345")) for n in (1, 2)]
NH_RULES = (IdentifierRule("*", "PI", PID), IdentifierRule("*", "NH", NATIONAL))


def test_every_page_is_read_and_two_matches_are_two() -> None:
    with FhirPeer(TWINS, page_size=1) as peer:
        records = look_up(config(peer, identifier_rules=NH_RULES), "85073112345", kind=IdKind.NATIONAL_NUMBER,
                          source="pdqm")  # fmt: skip
    assert {r.patient.identifier(PID) for r in records} == {"100771", "100772"}
    assert len(peer.requests) == 2 and "_getpagesoffset=1" in peer.requests[1]


def test_a_second_record_on_page_two_makes_a_headless_lookup_ambiguous() -> None:
    # Two Patient resources under one hospital id (a duplicate registration), one per page.
    twice = [fhir_patient(f"p{n}", "Peeters", (PID, "100777")) for n in (1, 2)]
    with (
        FhirPeer(twice, page_size=1, report_total=False) as peer,
        PatientSource(config(peer), "pdqm") as source,
        pytest.raises(AmbiguousPatient, match="returned 2 patients"),
    ):
        source.fetch("100777")


def test_a_resource_repeated_on_two_pages_is_one_match() -> None:
    with FhirPeer([WANTED, WANTED], page_size=1, report_total=False) as peer:
        [record] = look_up(config(peer), "100777", source="pdqm")
    assert record.patient.family_name == "Peeters" and len(peer.requests) == 2


def test_a_match_after_an_empty_first_page_is_found() -> None:
    with FhirPeer([WANTED], empty_pages=1) as peer:
        [record] = look_up(config(peer), "100777", source="pdqm")
    assert record.patient.family_name == "Peeters" and len(peer.requests) == 2


def test_a_total_above_the_matches_sent_is_ambiguous() -> None:
    # One entry, no next link, but total 2: the other match was never shown.
    body = {"resourceType": "Bundle", "type": "searchset", "total": 2,
            "entry": [{"resource": WANTED, "search": {"mode": "match"}}]}  # fmt: skip
    ambiguous = pytest.raises(AmbiguousPatient, match="counts 2 patients for this id but sent 1")
    with FhirPeer(raw=json.dumps(body).encode()) as peer, ambiguous:
        look_up(config(peer), "100777", source="pdqm")


def test_next_links_are_bounded_and_kept_on_the_configured_server() -> None:
    endless = FhirPeer([WANTED], endless=True, link_host="fhir.internal.example:8080")
    with endless as peer, pytest.raises(MalformedReply, match=f"past {MAX_PAGES} pages"):
        look_up(config(peer), "100777", source="pdqm")
    # Every page was asked of the configured server, never of the host the links named.
    assert len(peer.requests) == MAX_PAGES


# -- 4. malformed Bundles ----------------------------------------------------------------------


def bundle_of(**patient: object) -> dict[str, object]:
    resource = {**WANTED, **patient}
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": resource}]}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (bundle_of(identifier=[{"system": [PID], "value": "100777"}]), "Patient.identifier[0].system"),
        (bundle_of(identifier=5), "Patient.identifier"),
        (bundle_of(name=[{"family": "Peeters", "given": "Zoë"}]), "Patient.name[0].given"),
        (bundle_of(name={"family": "Peeters"}), "Patient.name"),
        (bundle_of(telecom=[{"system": "phone", "value": "1", "rank": "1"}]), "Patient.telecom[0].rank"),
        (bundle_of(birthDate=19850731), "Patient.birthDate"),
        (bundle_of(communication=[{"language": "nl"}]), "Patient.communication[0].language"),
        (bundle_of(address=[{"line": "Kerkstraat 1"}]), "Patient.address[0].line"),
        ({**bundle_of(), "entry": 5}, "Bundle.entry"),
        ({**bundle_of(), "entry": [{"resource": WANTED, "search": "match"}]}, "Bundle.entry[0].search"),
        ({**bundle_of(), "entry": [{"resource": [WANTED]}]}, "Bundle.entry[0] has no resource"),
        ({**bundle_of(), "total": "1"}, "Bundle.total"),
        ({**bundle_of(), "link": {"relation": "next"}}, "Bundle.link"),
        ([bundle_of()], "not a FHIR Bundle"),
    ],
)  # fmt: skip
def test_every_wrong_shape_is_one_typed_line(body: object, where: str) -> None:
    with FhirPeer(raw=json.dumps(body).encode()) as peer, pytest.raises(MalformedReply) as err:
        look_up(config(peer), "100777", source="pdqm")
    assert where in str(err.value) and "\n" not in str(err.value)


def test_telecom_rank_decides_the_phone() -> None:
    telecom = [
        {"system": "phone", "value": "+32 9 000 00 00", "use": "old", "rank": 1},
        {"system": "phone", "value": "+32 9 222 22 22"},
        {"system": "phone", "value": "+32 9 111 11 11", "rank": 2},
        {"system": "email", "value": "an@example.org", "rank": 3},
    ]
    with FhirPeer([{**WANTED, "telecom": telecom}]) as peer:
        [record] = look_up(config(peer), "100777", source="pdqm")
    assert (record.patient.phone, record.patient.email) == ("+32 9 111 11 11", "an@example.org")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from([PID, "100777", "match"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
KEYS = ["resourceType", "entry", "total", "link", "resource", "search", "mode", "identifier", "system",
        "value", "name", "family", "given", "telecom", "rank", "use", "birthDate", "gender", "address",
        "line", "communication", "language", "coding", "code", "relation", "url"]  # fmt: skip


@st.composite
def mutated_bundles(draw: st.DrawFn) -> object:
    """A valid one-match Bundle with a few elements anywhere in it replaced by other JSON."""
    body = json.loads(json.dumps(bundle_of(telecom=[{"system": "phone", "value": "1", "rank": 1}],
                                           address=[{"line": ["x"], "city": "y"}])))  # fmt: skip
    for _ in range(draw(st.integers(1, 3))):
        node, path = body, draw(st.lists(st.sampled_from([0, *KEYS]), min_size=1, max_size=6))
        for step in path[:-1]:
            child = node.get(step) if isinstance(node, dict) else node[0] if node and step == 0 else None
            if not isinstance(child, dict | list) or not child:
                break
            node = child
        value = draw(JSON)
        if isinstance(node, dict):
            node[path[-1] if isinstance(path[-1], str) else "entry"] = value
        elif isinstance(node, list) and node:
            node[0] = value
    return body


@pytest.fixture(scope="module")
def shape_peer() -> Iterator[FhirPeer]:
    with FhirPeer(raw=b"{}") as peer:
        yield peer


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=mutated_bundles() | JSON)
def test_any_bundle_gives_patients_or_one_typed_line(shape_peer: FhirPeer, body: object) -> None:
    shape_peer.raw = json.dumps(body).encode()
    try:
        records = look_up(config(shape_peer), "100777", source="pdqm")
    except HospitalError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 300
        return
    assert all(r.patient.identifier(PID) == "100777" for r in records)  # never another patient


# -- 5. byte-order marks and charsets; 8. a slow server -----------------------------------------


@pytest.mark.parametrize(
    ("bom", "charset", "encoding"),
    [(True, "utf-8", "utf-8"), (True, None, "utf-8"), (False, "iso-8859-1", "utf-8"),
     (False, "iso-8859-1", "latin-1")],
)  # fmt: skip
def test_bom_and_mislabelled_charsets(bom: bool, charset: str | None, encoding: str) -> None:
    zoe = fhir_patient("p1", "Dupré", (PID, "100777"))
    zoe["name"][0]["given"] = ["Zoë"]
    with FhirPeer([zoe], bom=bom, charset=charset, encoding=encoding) as peer:
        [record] = look_up(config(peer), "100777", source="pdqm")
    assert (record.patient.family_name, record.patient.given_name) == ("Dupré", "Zoë")


def test_latin_1_without_a_charset_is_one_line() -> None:
    latin = FhirPeer([fhir_patient("p1", "Dupré", (PID, "100777"))], charset=None, encoding="latin-1")
    with latin as peer, pytest.raises(MalformedReply, match="not UTF-8"):
        look_up(config(peer), "100777", source="pdqm")


def test_a_slow_server_says_what_was_waited() -> None:
    with FhirPeer([WANTED], hold=threading.Event()) as peer:
        cfg = replace(config(peer), timeout_seconds=0.2, attempts=2)
        with pytest.raises(HospitalTimeout) as err:
            look_up(cfg, "100777", source="pdqm")
    assert str(err.value) == "The hospital did not answer the patient search in 2 attempts of 0.2 s each."
    assert len(peer.requests) == 2

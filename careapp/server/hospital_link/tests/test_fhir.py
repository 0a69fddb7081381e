"""Item 3: a care flow's results as FHIR R4 QuestionnaireResponse and Observation, checked with
fhir.resources (an independent FHIR model library), and POSTed to a hospital's FHIR server."""

from __future__ import annotations

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import PHQ9_ANSWERS, connect, drain, messages, submitted_flow
from careapp.server.hospital_link.tests.fhir_server import FhirServer
from careapp.server.webhooks.tests.conftest import FakeClock


def test_responses_as_fhir_resources(api: TestClient) -> None:
    flow = submitted_flow(api, definition_id="phq-9-depression-screening", answers=PHQ9_ANSWERS)
    r = api.get(f"/v1/care-flows/{flow}/responses")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(r.json())  # R4B: R4's QuestionnaireResponse, Observation, Bundle
    resources = [e.resource for e in bundle.entry]
    response, *scores = resources
    score = next(o for o in scores if o.code.coding[0].code == "44261-6")
    assert isinstance(response, QuestionnaireResponse) and response.status == "completed"
    assert len(response.item) == 9 and response.item[0].answer[0].valueCoding.code == "LA6569-3"
    assert response.item[0].answer[0].valueCoding.system == "http://loinc.org"
    assert response.subject.identifier.value == "100001"
    assert isinstance(score, Observation) and score.valueInteger == 8
    assert score.code.coding[0].system == "http://loinc.org" and score.status == "final"
    band = next(o for o in resources if isinstance(o, Observation) and o.valueCodeableConcept)
    assert band.valueCodeableConcept.coding[0].code == "mild"


def test_every_answer_kind_is_a_valid_fhir_answer(api: TestClient) -> None:
    flow = submitted_flow(api)
    entries = Bundle.model_validate(api.get(f"/v1/care-flows/{flow}/responses").json()).entry
    assert entries is not None
    (entry,) = entries
    answers = {i.linkId: i.answer for i in entry.resource.item or ()}
    assert answers["weight"][0].valueDecimal == 72.5 and answers["pain"][0].valueInteger == 4
    assert str(answers["since"][0].valueDate) == "2031-02-28"
    assert answers["smoker"][0].valueCoding.code == "N"
    assert [a.valueCoding.code for a in answers["symptoms"]] == ["cough", "pain"]
    assert answers["story"][0].valueString == "Line one\nLine two & more"


def test_results_posted_to_a_hospitals_fhir_server(
    api: TestClient, link_services: Services, sender: ResultSender, clock: FakeClock
) -> None:
    with FhirServer() as fhir:
        connect(api, 1, results="fhir", mllp_host=None, mllp_port=None, fhir_url=fhir.url)
        fhir.answers.extend([503, 200, 422])
        submitted_flow(api, definition_id="phq-9-depression-screening", answers=PHQ9_ANSWERS)
        drain(sender, clock)
    form, score, count = messages(link_services)
    assert (form.status, form.attempts, score.status) == ("delivered", 2, "failed")
    assert score.ack_code == "422" and score.last_error == "subject identifier not known"
    assert count.status == "delivered"
    kinds = sorted(r["resourceType"] for r in fhir.resources.values())
    assert kinds == ["Observation", "QuestionnaireResponse"]  # the screenings count; the refused score not
    for resource in fhir.resources.values():
        (
            QuestionnaireResponse if resource["resourceType"] == "QuestionnaireResponse" else Observation
        ).model_validate(resource)

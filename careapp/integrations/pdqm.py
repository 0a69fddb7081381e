"""IHE PDQm (FHIR) patient search: ``GET [base]/Patient?identifier=system|value``.

requests with an explicit (connect, read) timeout on every call, and urllib3 retries limited
to the idempotent GET: connection failures and 502/503/504 are retried with a short backoff.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from careapp.domain.identifiers import Identifier
from careapp.domain.patient import Patient
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import (
    HospitalRejected,
    HospitalTimeout,
    HospitalUnreachable,
    MalformedReply,
    WrongPatient,
)
from careapp.integrations.mapping import patient_from_fhir, replacing_identifier

log = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"
CONNECT_TIMEOUT = 3.05  # seconds; slightly above a TCP retransmission window
MAX_MATCHES = 50


def session_for(config: HospitalConfig) -> requests.Session:
    retry = Retry(
        total=max(0, config.attempts - 1),
        connect=max(0, config.attempts - 1),
        read=max(0, config.attempts - 1),
        status=max(0, config.attempts - 1),
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=0.2,
        raise_on_status=False,
        respect_retry_after_header=False,  # a clinician is waiting: never sleep for long
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Accept"] = FHIR_JSON
    return session


def search_patients(
    config: HospitalConfig, identifier: Identifier, session: requests.Session | None = None
) -> list[Patient]:
    """All patients the hospital holds under ``identifier`` (0, 1 or many). Raises HospitalError."""
    own = session is None
    session = session or session_for(config)
    url = f"{config.pdqm_url.rstrip('/')}/Patient"
    try:
        response = session.get(
            url,
            params={"identifier": identifier.token(), "_count": str(MAX_MATCHES)},
            timeout=(min(CONNECT_TIMEOUT, config.timeout_seconds), config.timeout_seconds),
        )
    except requests.exceptions.Timeout:
        raise HospitalTimeout("patient search", config.timeout_seconds) from None
    except requests.exceptions.ConnectionError as exc:
        reason = "connection refused" if "refused" in str(exc).lower() else "no connection"
        if "timed out" in str(exc).lower():
            raise HospitalTimeout("patient search", config.timeout_seconds) from None
        raise HospitalUnreachable(_host(config), reason) from None
    except requests.exceptions.RequestException as exc:
        raise HospitalUnreachable(_host(config), type(exc).__name__) from None
    finally:
        if own:
            session.close()
    log.debug("PDQm search answered %s", response.status_code)
    return read_bundle(response, config, identifier)


def read_bundle(response: requests.Response, config: HospitalConfig, searched: Identifier) -> list[Patient]:
    if response.status_code == 404 and not _is_fhir(response):
        raise MalformedReply(f"no PDQm endpoint at {config.pdqm_url} (HTTP 404)")
    if response.status_code >= 400:
        raise HospitalRejected(f"HTTP {response.status_code}", _outcome_text(response))
    try:
        body = response.json()
    except ValueError:
        raise MalformedReply("the search result is not JSON") from None
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise MalformedReply("the search result is not a FHIR Bundle")
    patients: list[Patient] = []
    for entry in body.get("entry") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise MalformedReply("a Bundle entry has no resource")
        if (entry.get("search") or {}).get("mode", "match") != "match":
            continue  # included resources (e.g. an OperationOutcome) are not matches
        resource = entry["resource"]
        if resource.get("resourceType") == "OperationOutcome":
            continue
        if not carries(resource, searched):
            # A server that ignores a search parameter it does not support answers with other
            # patients: saving one of them would be a wrong-patient import.
            raise WrongPatient()
        patients.append(replacing_identifier(patient_from_fhir(resource, config), searched))
    return patients


def carries(resource: dict[str, Any], searched: Identifier) -> bool:
    """Whether the Patient resource lists ``searched`` among its identifiers."""
    identifiers = resource.get("identifier")
    return isinstance(identifiers, list) and any(
        isinstance(i, dict) and i.get("system") == searched.system
        and isinstance(i.get("value"), str) and i["value"].strip() == searched.value
        for i in identifiers
    )  # fmt: skip


def _is_fhir(response: requests.Response) -> bool:
    return "fhir" in response.headers.get("Content-Type", "")


def _outcome_text(response: requests.Response) -> str:
    try:
        body: Any = response.json()
        issue = body["issue"][0]
        return str(issue.get("diagnostics") or issue.get("details", {}).get("text") or issue["code"])[:200]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return response.reason or ""


def _host(config: HospitalConfig) -> str:
    from urllib.parse import urlsplit

    return urlsplit(config.pdqm_url).netloc

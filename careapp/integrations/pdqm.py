"""IHE PDQm (FHIR) patient search: ``GET [base]/Patient?identifier=system|value``.

requests with an explicit (connect, read) timeout on every call, and urllib3 retries limited
to the idempotent GET: connection failures and 502/503/504 are retried with a short backoff.

What a search result must be before any patient in it is used:
- every match carries the searched identifier (a server that ignores a search parameter it
  does not support answers with other patients: that would be a wrong-patient import);
- every page is read: ``next`` links are followed, at most MAX_PAGES of them and only on the
  configured server; a result that goes on past that, or whose ``total`` counts more patients
  than its pages hold, is ambiguous rather than "the one match";
- the body is FHIR JSON in UTF-8 (a byte-order mark is accepted, as is a declared charset when
  the bytes are not UTF-8); any other shape is MalformedReply, one line.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_encoding_from_headers
from urllib3.util.retry import Retry

from careapp.domain.identifiers import Identifier
from careapp.domain.patient import Patient
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import (
    AmbiguousPatient,
    HospitalRejected,
    HospitalTimeout,
    HospitalUnreachable,
    MalformedReply,
    WrongPatient,
)
from careapp.integrations.fhir_patient import identifiers_of, integer, objects, patient_from_fhir, string
from careapp.integrations.mapping import replacing_identifier

log = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"
CONNECT_TIMEOUT = 3.05  # seconds; slightly above a TCP retransmission window
MAX_MATCHES = 50  # _count asked for; a patient id that many people share is a data problem
MAX_PAGES = 5  # a search for one identifier that needs more pages is not a patient search
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def session_for(config: HospitalConfig) -> requests.Session:
    tries = max(0, config.attempts - 1)
    retry = Retry(
        total=tries,
        connect=tries,
        read=tries,
        status=tries,
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


@dataclass(frozen=True, slots=True)
class SearchPage:
    patients: list[tuple[str, Patient]]  # keyed by resource: a server may repeat one on two pages
    total: int | None  # Bundle.total, when the server sends it
    next_url: str | None


def search_patients(
    config: HospitalConfig, identifier: Identifier, session: requests.Session | None = None
) -> list[Patient]:
    """All patients the hospital holds under ``identifier`` (0, 1 or many). Raises HospitalError."""
    own = session is None
    session = session or session_for(config)
    try:
        url: str | None = f"{config.pdqm_url.rstrip('/')}/Patient"
        params: dict[str, str] | None = {"identifier": identifier.token(), "_count": str(MAX_MATCHES)}
        found: dict[str, Patient] = {}
        total: int | None = None
        pages = 0
        while url is not None:
            if pages == MAX_PAGES:
                raise MalformedReply(f"the search result goes on past {MAX_PAGES} pages")
            page = read_page(_get(session, config, url, params), config, identifier)
            pages += 1
            total = page.total if total is None else total
            for key, patient in page.patients:
                found.setdefault(key or f"#{len(found)}", patient)
            url, params = _on_server(config, page.next_url), None
    finally:
        if own:
            session.close()
    if total is not None and total > len(found):
        raise AmbiguousPatient(total, shown=len(found))  # unseen matches: none shown is "the one"
    return list(found.values())


def _get(
    session: requests.Session, config: HospitalConfig, url: str, params: dict[str, str] | None
) -> requests.Response:
    try:
        response = session.get(
            url, params=params, timeout=(min(CONNECT_TIMEOUT, config.timeout_seconds), config.timeout_seconds)
        )
    except requests.exceptions.Timeout:
        raise _timeout(config) from None
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower():  # retries exhausted on read timeouts
            raise _timeout(config) from None
        reason = "connection refused" if "refused" in str(exc).lower() else "no connection"
        raise HospitalUnreachable(_host(config), reason) from None
    except requests.exceptions.RequestException as exc:
        raise HospitalUnreachable(_host(config), type(exc).__name__) from None
    log.debug("PDQm search answered %s", response.status_code)
    return response


def _timeout(config: HospitalConfig) -> HospitalTimeout:
    return HospitalTimeout("patient search", config.timeout_seconds, max(1, config.attempts))


def _on_server(config: HospitalConfig, link: str | None) -> str | None:
    """A next link, moved onto the configured server: links name the server as it sees itself
    (an internal host behind a proxy), and a search must never be sent anywhere else."""
    if link is None:
        return None
    base = urlsplit(config.pdqm_url)
    target = urlsplit(urljoin(config.pdqm_url.rstrip("/") + "/", link))
    if target.scheme not in ("http", "https"):
        raise MalformedReply("a next link is not an http(s) URL")
    return urlunsplit((base.scheme, base.netloc, target.path, target.query, ""))


def read_page(response: requests.Response, config: HospitalConfig, searched: Identifier) -> SearchPage:
    """One searchset page: its matches (each checked to carry ``searched``), total, next link."""
    if response.status_code == 404 and not _is_fhir(response):
        raise MalformedReply(f"no PDQm endpoint at {config.pdqm_url} (HTTP 404)")
    if response.status_code >= 400:
        raise HospitalRejected(f"HTTP {response.status_code}", _outcome_text(response))
    body = json_body(response)
    if not isinstance(body, Mapping) or body.get("resourceType") != "Bundle":
        raise MalformedReply("the search result is not a FHIR Bundle")
    patients: list[tuple[str, Patient]] = []
    for n, entry in enumerate(objects(body.get("entry"), "Bundle.entry")):
        resource = entry.get("resource")
        if not isinstance(resource, Mapping):
            raise MalformedReply(f"Bundle.entry[{n}] has no resource")
        search = entry.get("search")
        if search is not None and not isinstance(search, Mapping):
            raise MalformedReply(f"Bundle.entry[{n}].search is not an element")
        if string(search or {}, "mode", f"Bundle.entry[{n}].search") not in ("", "match"):
            continue  # included resources (e.g. an OperationOutcome) are not matches
        if resource.get("resourceType") == "OperationOutcome":
            continue
        if (searched.system, searched.value) not in identifiers_of(resource):
            raise WrongPatient()
        patient = replacing_identifier(patient_from_fhir(resource, config), searched)
        key = string(resource, "id", "Patient") or string(entry, "fullUrl", f"Bundle.entry[{n}]")
        patients.append((key, patient))
    total = integer(body, "total", "Bundle")
    next_url = next(
        (string(link, "url", "Bundle.link") for link in objects(body.get("link"), "Bundle.link")
         if string(link, "relation", "Bundle.link") == "next"),
        "",
    )  # fmt: skip
    return SearchPage(patients, total, next_url or None)


def json_body(response: requests.Response) -> Any:
    """The body as JSON: UTF-8 as FHIR requires, after any byte-order mark; the declared
    charset only when the bytes are not UTF-8 (servers mislabel in both directions)."""
    data, encoding = response.content, "utf-8"
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], bom_encoding
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        declared = get_encoding_from_headers(response.headers)
        try:
            text = data.decode(declared or "")
        except (LookupError, UnicodeDecodeError):
            raise MalformedReply("the search result is not UTF-8 text") from None
    try:
        return json.loads(text)
    except ValueError:
        raise MalformedReply("the search result is not JSON") from None


def _is_fhir(response: requests.Response) -> bool:
    return "fhir" in response.headers.get("Content-Type", "")


def _outcome_text(response: requests.Response) -> str:
    try:
        body: Any = json_body(response)
        issue = body["issue"][0]
        text = str(issue.get("diagnostics") or issue.get("details", {}).get("text") or issue["code"])
        return " ".join(text.split())[:200]  # one line, whatever the server put in it
    except (MalformedReply, KeyError, IndexError, TypeError, AttributeError):
        return response.reason or ""


def _host(config: HospitalConfig) -> str:
    return urlsplit(config.pdqm_url).netloc

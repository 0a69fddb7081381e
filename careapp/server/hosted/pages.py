"""The patient pages: /l/<link>, /s/<session>, /e/<enrollment link>. No API credential: the token is the key.

Server-rendered HTML that works without JavaScript. Every response forbids caching, framing and
referrers (the token is in the URL) and carries a strict Content-Security-Policy. Posts carry a
CSRF token tied to a browser cookie and to the session or enrollment link. After every post the
browser is redirected (303) to a GET, so a reload never submits twice.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import func, select

from careapp.domain.careflow import ActivityDefinition, ActivityType, Stakeholder
from careapp.domain.forms import localized
from careapp.domain.hosted_sessions import SessionOrigin, SessionStatus
from careapp.domain.timing import wall_clock
from careapp.server import engine
from careapp.server.auth import services_of
from careapp.server.context import Call, CredentialKind, Principal, Services, Tx
from careapp.server.engine.timeline import next_patient_opening
from careapp.server.hosted import answers, enrollment, i18n, sessions
from careapp.server.models import ActivityRow, CareFlowRow, HostedPagesSessionRow, PatientRow
from careapp.server.problems import ProblemError
from careapp.server.services import constant_values, links

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
CSS_PATH = "/hosted-pages/pages.css"
CSRF_COOKIE = "careapp_csrf"
REGISTRATION = enrollment.REGISTRATION_FIELDS
_CSS = (HERE / "static" / "pages.css").read_bytes()
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


# ----------------------------------------------------------------------------- plumbing


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _harden(response: Response, form_targets: Iterable[str | None] = ()) -> Response:
    # form-action also governs where a form post may be redirected: allow the session's return URLs.
    targets = " ".join(sorted({o for o in map(_origin, form_targets) if o}))
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action 'self'{' ' + targets if targets else ''}; base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response


class Page:
    """What one response needs to render: language, CSRF cookie, the request."""

    def __init__(
        self, request: Request, session_language: str | None = None, patient_language: str | None = None
    ) -> None:
        self.request = request
        self.lang = i18n.negotiate(
            request.query_params.get("lang"),
            session_language,
            request.headers.get("accept-language"),
            patient_language=patient_language,
            default=services_of(request).config.patient_language,
        )
        self.t = i18n.translator(self.lang)
        existing = request.cookies.get(CSRF_COOKIE)
        self.new_nonce = None if existing and 16 <= len(existing) <= 64 else secrets.token_urlsafe(24)
        self.nonce = self.new_nonce or existing or ""

    def plain(self, value: Any) -> str:
        """Definition text in this page's language (or its fallback), for titles and attributes."""
        return localized(value, self.lang)[0]

    def lang_of(self, value: Any) -> Markup:
        """` lang="en"` for an element holding text that has no translation into this page's language."""
        lang = localized(value, self.lang)[1]
        return Markup(' lang="{}"').format(lang) if lang != self.lang else Markup("")

    def local(self, value: Any) -> Markup:
        """Definition text for the page's body, an untranslated one marked with its own language."""
        text, lang = localized(value, self.lang)
        if lang == self.lang:
            return escape(text)
        return Markup('<span lang="{}">{}</span>').format(lang, text)

    def error_text(self, message: str) -> str:
        return i18n.error_text(message, self.lang)

    def render(
        self, template: str, *, status: int = 200, form_targets: Iterable[str | None] = (), **context: Any
    ) -> HTMLResponse:
        html = _templates.get_template(template).render(
            t=self.t,
            lang=self.lang,
            languages=i18n.NAMES,
            css=CSS_PATH,
            local=self.local,
            plain=self.plain,
            lang_of=self.lang_of,
            error_text=self.error_text,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if self.new_nonce:
            response.set_cookie(
                CSRF_COOKIE,
                self.new_nonce,
                httponly=True,
                samesite="lax",
                secure=self.request.url.scheme == "https",
                path="/",
            )
        _harden(response, form_targets)
        return response

    def notice(self, kind: str, status: int, **context: Any) -> HTMLResponse:
        return self.render("notice.html", status=status, kind=kind, **context)


def _redirect(url: str, form_targets: Iterable[str | None] = ()) -> Response:
    return _harden(RedirectResponse(url, status_code=303), form_targets)


def _here(request: Request) -> str:
    """This page's own path and query, for the redirect after a post."""
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


@contextmanager
def _patient_tx(services: Services) -> Iterator[Tx]:
    with Call(services, Principal(CredentialKind.HOSTED_PAGES, None, "patient")).tx() as tx:
        yield tx


def _acting_as(tx: Tx, credential_id: str) -> None:
    """From here on the transaction acts for the holder of this session or enrollment link."""
    tx.principal = Principal(CredentialKind.HOSTED_PAGES, credential_id, "patient")


# ----------------------------------------------------------------------------- static


@router.get(CSS_PATH)
def stylesheet() -> Response:
    return Response(_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


def _patient_language(tx: Tx, patient_id: str) -> str | None:
    """The language of the patient's hospital record (PID-15 or FHIR communication), if any."""
    return tx.session.scalar(select(PatientRow.language).where(PatientRow.id == patient_id))


# ----------------------------------------------------------------------------- static link


@router.get("/l/{token}")
def open_link(token: str, request: Request) -> Response:
    """Opening the static link starts a fresh session for the patient's pending activities."""
    page = Page(request)
    with _patient_tx(services_of(request)) as tx:
        link = links.resolve(tx.services, tx, token)
        if link is None:
            return page.notice("invalid", 404)
        if link.revoked_at is not None:
            return page.notice("revoked", 410)
        _acting_as(tx, link.id)
        flow = tx.session.get(CareFlowRow, link.care_flow_id)
        assert flow is not None
        page = Page(request, patient_language=_patient_language(tx, flow.patient_id))
        waiting = sessions.pending_count(tx, flow.id, Stakeholder.PATIENT.value)
        if not waiting:
            # Not "expired": the link lives on; say when something opens next, if anything will.
            opens = next_patient_opening(tx, flow)
            day = opens and i18n.weekday_date(wall_clock(opens, tx.config.zone).date(), page.lang)
            return page.notice("nothing", 200, next_opens=day)
        new = sessions.start(
            tx,
            flow,
            stakeholder=Stakeholder.PATIENT.value,
            origin=SessionOrigin.LINK,
            link_id=link.id,
            pending_now=waiting,
        )
    lang = request.query_params.get("lang")
    target = urlsplit(new.url).path + (f"?lang={i18n.supported(lang)}" if i18n.supported(lang) else "")
    return _redirect(target)


# ----------------------------------------------------------------------------- session


def _ended(page: Page, row: HostedPagesSessionRow, status: SessionStatus) -> Response:
    """An expired or completed session: the customer's return URL, or a friendly page."""
    if status is SessionStatus.COMPLETED:
        if row.success_url:
            return _redirect(row.success_url, [row.success_url])
        return page.notice("done", 200)
    if row.cancel_url:
        return _redirect(row.cancel_url, [row.cancel_url])
    return page.notice("expired", 410)


def _needs_birth_date(tx: Tx, row: HostedPagesSessionRow, flow: CareFlowRow) -> PatientRow | None:
    """The patient whose date of birth must be confirmed first, if the definition asks for it."""
    if row.birth_date_verified or row.stakeholder != Stakeholder.PATIENT.value:
        return None
    if not engine.document_of(tx, flow).verify_birth_date:
        return None
    patient = tx.session.get(PatientRow, row.patient_id)
    # Nothing to compare with: the check cannot be made, so it is not (the care team sees no DOB).
    return patient if patient is not None and patient.birth_date is not None else None


def _done_here(tx: Tx, row: HostedPagesSessionRow) -> int:
    return int(
        tx.session.scalar(
            select(func.count())
            .select_from(ActivityRow)
            .where(
                ActivityRow.care_flow_id == row.care_flow_id, ActivityRow.completed_by == tx.principal.actor
            )
        )
        or 0
    )


def _shown(tx: Tx, definition_id: str, activity: ActivityDefinition) -> ActivityDefinition:
    """The activity as the patient reads it: constants in its message and checklist filled in."""
    render = constant_values.render_for_people
    return dataclasses.replace(
        activity,
        body=render(tx, definition_id, activity.body),
        items=tuple(render(tx, definition_id, item) or item for item in activity.items),
    )


def _activity_page(
    page: Page,
    tx: Tx,
    row: HostedPagesSessionRow,
    flow: CareFlowRow,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    waiting = sessions.pending(tx, row)
    activity = waiting[0]
    doc = engine.document_of(tx, flow)
    found = doc.activity(activity.activity_key)
    definition = _shown(tx, flow.definition_id, found[1]) if found else None
    done = _done_here(tx, row)
    return page.render(
        "activity.html",
        status=status,
        form_targets=[row.success_url, row.cancel_url],
        heading=page.local(doc.title),
        activity=activity,
        definition=definition,
        position=done + 1,
        total=done + len(waiting),
        csrf=tx.services.keyring.csrf_token(page.nonce, row.id),
        errors=errors or {},
        problems=_problems(page, definition, errors or {}),
        values=values or {},
        field=answers.field_name,
        slider=answers.slider_view,
    )


def _problems(
    page: Page, definition: ActivityDefinition | None, errors: dict[str, str]
) -> list[tuple[str, str, str]]:
    """The error summary's lines, in the order of the page: (field id, what it asks, what to fix)."""
    if not errors or definition is None:
        return []
    if definition.form is None:  # a checklist: one answer, every item ticked
        return [("item", page.t("tick_all"), page.error_text(errors["items"]))]
    return [
        (answers.field_name(q), page.plain(q.label), page.error_text(errors[q.id]))
        for q in definition.form.questions
        if q.id in errors
    ]


def _current(
    page: Page, tx: Tx, row: HostedPagesSessionRow, *, birth_date_error: bool = False, status: int = 200
) -> Response:
    """What the session shows now: its end, the date-of-birth check, or the next activity."""
    state = sessions.refresh(tx, row)
    if state is not SessionStatus.ACTIVE:
        return _ended(page, row, state)
    flow = tx.session.get(CareFlowRow, row.care_flow_id)
    assert flow is not None
    if _needs_birth_date(tx, row, flow):
        return page.render(
            "birth_date.html",
            status=status,
            heading=page.local(engine.document_of(tx, flow).title),
            csrf=tx.services.keyring.csrf_token(page.nonce, row.id),
            problems=[("birth_date", page.t("birth_label"), page.t("birth_wrong"))]
            if birth_date_error
            else [],
        )
    return _activity_page(page, tx, row, flow, status=status)


@router.get("/s/{token}")
def session_page(token: str, request: Request) -> Response:
    with _patient_tx(services_of(request)) as tx:
        row = sessions.resolve(tx, token)
        if row is None:
            return Page(request).notice("invalid", 404)
        _acting_as(tx, row.id)
        return _current(Page(request, row.language, _patient_language(tx, row.patient_id)), tx, row)


def _complete_activity(page: Page, tx: Tx, row: HostedPagesSessionRow, form: Any) -> Response | None:
    """Complete the posted activity; a page to show instead (inline errors), or None when done."""
    flow = tx.session.get(CareFlowRow, row.care_flow_id)
    assert flow is not None
    if _needs_birth_date(tx, row, flow):
        return None
    activity_id = form.get("activity_id")
    activity = next((a for a in sessions.pending(tx, row) if a.id == activity_id), None)
    if activity is None:  # already done, or not this session's: show where things stand
        return None
    if activity.type == ActivityType.FORM.value:
        found = engine.document_of(tx, flow).activity(activity.activity_key)
        assert found is not None and found[1].form is not None
        clean, errors, raw = answers.check(found[1].form, form, tx.now.date())
        if errors:
            return _activity_page(page, tx, row, flow, errors=errors, values=raw, status=422)
        engine.submit_form(tx, activity.id, clean)
    elif activity.type == ActivityType.CHECKLIST.value:
        ticked = sorted({int(v) for v in form.getlist("item") if str(v).isdigit()})
        found = engine.document_of(tx, flow).activity(activity.activity_key)
        wanted = list(range(len(found[1].items))) if found else []
        if ticked != wanted:
            values = {"items": ticked}
            return _activity_page(
                page, tx, row, flow, errors={"items": "is required"}, values=values, status=422
            )
        engine.complete(tx, activity.id, ticked, on_hosted_pages=True)
    else:
        engine.complete(tx, activity.id, None, on_hosted_pages=True)
    sessions.activity_completed(tx, row)
    return None


def _post_session(token: str, request: Request, form: Any) -> Response:
    services = services_of(request)
    try:
        with _patient_tx(services) as tx:
            row = sessions.resolve(tx, token)
            if row is None:
                return Page(request).notice("invalid", 404)
            _acting_as(tx, row.id)
            page = Page(request, row.language, _patient_language(tx, row.patient_id))
            if not services.keyring.csrf_ok(request.cookies.get(CSRF_COOKIE), row.id, form.get("csrf")):
                return page.notice("retry", 403, again=_here(request))
            if sessions.refresh(tx, row) is not SessionStatus.ACTIVE:
                return _redirect(_here(request))
            if form.get("action") == "birth_date":
                flow = tx.session.get(CareFlowRow, row.care_flow_id)
                assert flow is not None
                patient = _needs_birth_date(tx, row, flow)
                if patient is not None:
                    given = answers.parse_birth_date(str(form.get("birth_date") or ""))
                    if given != patient.birth_date:
                        if sessions.birth_date_failed(tx, row):
                            return _redirect(_here(request))
                        return _current(page, tx, row, birth_date_error=True, status=422)
                    row.birth_date_verified = True
            else:
                shown = _complete_activity(page, tx, row, form)
                if shown is not None:
                    return shown
    except ProblemError as exc:
        if exc.status not in (409, 422):
            raise
        # Someone else closed the activity or the care flow first: show the current state.
    return _redirect(_here(request), [])


@router.post("/s/{token}")
async def session_post(token: str, request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=600)
    return await run_in_threadpool(_post_session, token, request, form)


# ----------------------------------------------------------------------------- enrollment


def _enroll_page(page: Page, tx: Tx, opened: enrollment.OpenedEnrollment, **context: Any) -> Response:
    title = enrollment.definition_title(tx, opened)
    if title is None:
        return page.notice("nothing", 200)
    errors = context.pop("errors", {})
    return page.render(
        "enroll.html",
        status=context.pop("status", 200),
        heading=page.local(title),
        register=enrollment.known_patient(tx, opened) is None,
        csrf=tx.services.keyring.csrf_token(page.nonce, "enroll:" + opened.link.id),
        fields=[
            (name, page.t(label), kind, auto) for name, label, kind, auto in enrollment.REGISTRATION_FIELDS
        ],
        errors=errors,
        problems=[
            (name, page.t(label), page.error_text(errors[name]))
            for name, label, _kind, _auto in REGISTRATION
            if name in errors
        ],
        values=context.pop("values", {}),
    )


@router.get("/e/{token}")
def enrollment_page(token: str, request: Request) -> Response:
    """The start page. Enrolling waits for the patient's tap: a link preview must not enroll anyone."""
    page = Page(request)
    with _patient_tx(services_of(request)) as tx:
        opened = enrollment.open_link(tx, token)
        if opened is None:
            return page.notice("invalid", 404)
        if opened.link.revoked_at is not None:
            return page.notice("revoked", 410)
        return _enroll_page(page, tx, opened)


def _post_enrollment(token: str, request: Request, form: Any) -> Response:
    services = services_of(request)
    page = Page(request)
    with _patient_tx(services) as tx:
        opened = enrollment.open_link(tx, token)
        if opened is None:
            return page.notice("invalid", 404)
        if opened.link.revoked_at is not None:
            return page.notice("revoked", 410)
        _acting_as(tx, opened.link.id)
        if not services.keyring.csrf_ok(
            request.cookies.get(CSRF_COOKIE), "enroll:" + opened.link.id, form.get("csrf")
        ):
            return page.notice("retry", 403, again=_here(request))
        if enrollment.definition_title(tx, opened) is None:
            return page.notice("nothing", 200)
        person = None
        if enrollment.known_patient(tx, opened) is None:
            person, errors, values = enrollment.read_registration(form, tx.now.date())
            if person is None:
                return _enroll_page(page, tx, opened, errors=errors, values=values, status=422)
        flow = enrollment.enroll(tx, opened, person)
        waiting = sessions.pending_count(tx, flow.id, Stakeholder.PATIENT.value)
        if not waiting:
            return page.notice("nothing", 200)
        # A patient who just registered typed their date of birth; a known patient of a
        # definition that asks for it still confirms theirs.
        new = sessions.start(
            tx,
            flow,
            stakeholder=Stakeholder.PATIENT.value,
            origin=SessionOrigin.ENROLLMENT,
            language=i18n.supported(request.query_params.get("lang")),
            pending_now=waiting,
            birth_date_verified=person is not None,
        )
    return _redirect(urlsplit(new.url).path)


@router.post("/e/{token}")
async def enrollment_post(token: str, request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=50)
    return await run_in_threadpool(_post_enrollment, token, request, form)

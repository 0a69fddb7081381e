"""axe-core over every patient page state, in each patient language, on a phone and a desktop: 0 violations.

The rules are axe's WCAG 2.0/2.1 A and AA rules and its WCAG 2.2 AA rules (target size). axe
cannot judge a focus ring or a field's edge (WCAG 1.4.11), so those contrasts are measured here
from Chromium's computed styles: each focused control's ring, and each field's edge, against
what surrounds it.

axe-core comes from the axe-playwright-python package (a test dependency), which ships
axe.min.js; we inject that file ourselves and choose the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from careapp.domain.forms import PATIENT_LANGUAGES

from . import contrast
from .livesite import DESKTOP, PHONE, LiveServer, chromium, live_server
from .pagestates import PageState, page_states

pytestmark = pytest.mark.browser

LANGUAGES = PATIENT_LANGUAGES  # en, nl, fr, de, es, pl
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
AXE_RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
STATES = {
    "static link: a message",
    "form: every question type",
    "form: errors",
    "form: a 0-100 slider as a list",
    "form: a 0-10 scale, a list, a number",
    "form: slider errors",
    "form: an untranslated label",
    "checklist",
    "checklist: errors",
    "thank you",
    "static link: nothing to do",
    "static link: revoked",
    "link: invalid",
    "date of birth check",
    "date of birth check: error",
    "form sent from elsewhere: retry",
    "enrollment: registration",
    "enrollment: registration errors",
    "enrollment: a known patient",
    "session expired",
}
# States whose every tab stop must show a ring, and whose every field edge is measured.
FOCUS_STATES = (
    "form: every question type",
    "form: errors",
    "form: a 0-10 scale, a list, a number",
    "checklist: errors",
    "enrollment: registration errors",
    "form sent from elsewhere: retry",
)
EDGES = (
    'input[type="text"], input[type="email"], input[type="tel"], input[type="date"], textarea, select,'
    " .choice, .scale-step span"
)

# The colours an element is painted over, root first (for its ring: its parent's).
_LAYERS_JS = """
const layers = element => {
  const chain = [];
  for (let e = element; e; e = e.parentElement) chain.unshift(getComputedStyle(e).backgroundColor);
  return chain;
};
"""
# The focused control's ring: drawn on the control, or on the choice or scale step around it.
_RING_JS = (
    "() => {"
    + _LAYERS_JS
    + """
  const focused = document.activeElement;
  if (!focused || focused === document.body) return null;
  const ringed = e => e && getComputedStyle(e).outlineStyle !== 'none'
    && parseFloat(getComputedStyle(e).outlineWidth) > 0;
  const drawn = [focused, focused.closest('.choice, .scale-step')].find(ringed);
  const html = focused.outerHTML.slice(0, 120);
  if (!drawn) return {html, ring: null};
  const style = getComputedStyle(drawn);
  return {html, ring: style.outlineColor, width: parseFloat(style.outlineWidth),
          behind: layers(drawn.parentElement)};
}"""
)
_EDGE_JS = (
    "element => {"
    + _LAYERS_JS
    + """
  const style = getComputedStyle(element);
  return {html: element.outerHTML.slice(0, 120), edge: style.borderTopColor,
          width: parseFloat(style.borderTopWidth), outside: layers(element.parentElement),
          inside: layers(element)};
}"""
)


def _axe_script() -> str:
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, list[PageState]]]]:
    with live_server(tmp_path_factory.mktemp("a11y")) as live:
        yield live, {lang: list(page_states(live, lang)) for lang in LANGUAGES}


@pytest.fixture(scope="module")
def module_browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _context(browser: Any, viewport: str, language: str) -> Any:
    phone = viewport == "phone"
    return browser.new_context(
        viewport=VIEWPORTS[viewport],
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale=language,
        # axe needs timers, which a page without JavaScript does not run; the pages themselves
        # ship no script (their CSP allows none), so they render the same either way.
        java_script_enabled=True,
    )


def _show(page: Any, state: PageState) -> None:
    """Render the server's response for this state at its own URL (its stylesheet comes live)."""

    def serve(route: Any) -> None:
        route.fulfill(status=state.status, headers=state.headers, body=state.html)

    def is_state(url: str) -> bool:
        return url == state.url

    page.route(is_state, serve)
    page.goto(state.url)
    page.unroute(is_state, serve)


def _report(found: list[tuple[str, dict[str, Any]]]) -> str:
    lines = []
    for where, violation in found:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} at {targets}")
    return "\n".join(lines)


def test_every_page_state_is_captured(site: tuple[LiveServer, dict[str, list[PageState]]]) -> None:
    for language, states in site[1].items():
        assert {s.name for s in states} == STATES and len(states) == len(STATES)
        for state in states:
            assert f'<html lang="{language}">' in state.html, (state.name, language)
        statuses = {s.name: s.status for s in states}
        assert statuses["form: errors"] == 422 and statuses["session expired"] == 410
        assert statuses["static link: revoked"] == 410 and statuses["link: invalid"] == 404


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_axe_finds_no_violations(
    site: tuple[LiveServer, dict[str, list[PageState]]],
    module_browser: Any,
    viewport: str,
    language: str,
) -> None:
    axe = _axe_script()
    context = _context(module_browser, viewport, language)
    page = context.new_page()
    found: list[tuple[str, dict[str, Any]]] = []
    checked = 0
    for state in site[1][language]:
        _show(page, state)
        assert page.evaluate("getComputedStyle(document.body).display") == "flex", "stylesheet not loaded"
        page.evaluate(axe)
        results = page.evaluate("options => axe.run(document, options)", AXE_RULES)
        assert len(results["passes"]) >= 10, f"axe ran no rules on {state.name}"
        found.extend((state.name, v) for v in results["violations"])
        checked += 1
    context.close()
    assert checked == len(STATES)
    assert not found, _report(found)


def _painted(layers: list[str]) -> contrast.RGB:
    colour: contrast.RGB = (255.0, 255.0, 255.0)  # the canvas
    for layer in layers:
        colour = contrast.over(layer, colour)
    return colour


def _rings(page: Any, stops: int) -> Iterator[tuple[str, float, float]]:
    """(the focused control, its ring's width, the ring's contrast), tab stop by tab stop."""
    seen: set[str] = set()
    for _ in range(stops):
        page.keyboard.press("Tab")
        found = page.evaluate(_RING_JS)
        if found is None or found["html"] in seen:  # back at the start
            return
        seen.add(found["html"])
        assert found["ring"], f"no focus ring on {found['html']}"
        behind = _painted(found["behind"])
        yield found["html"], found["width"], contrast.ratio(contrast.over(found["ring"], behind), behind)


def _edges(page: Any) -> Iterator[tuple[str, float, float]]:
    """(a field, its edge's width, the edge's contrast with outside and inside, the lower)."""
    for field in page.locator(EDGES).all():
        found = field.evaluate(_EDGE_JS)
        outside, inside = _painted(found["outside"]), _painted(found["inside"])
        edge = contrast.over(found["edge"], outside)
        yield found["html"], found["width"], min(contrast.ratio(edge, outside), contrast.ratio(edge, inside))


def test_focus_rings_and_field_edges_contrast_3_to_1(
    site: tuple[LiveServer, dict[str, list[PageState]]], module_browser: Any
) -> None:
    context = _context(module_browser, "phone", "en")
    page = context.new_page()
    states = {s.name: s for s in site[1]["en"]}
    weak: list[str] = []
    rings = edges = 0
    for name in FOCUS_STATES:
        _show(page, states[name])
        for html, width, ratio in _rings(page, 40):
            rings += 1
            if width < 2 or ratio < 3:
                weak.append(f"{name}: focus ring {width}px at {ratio:.2f}:1 on {html}")
        for html, width, ratio in _edges(page):
            edges += 1
            if width < 1 or ratio < 3:
                weak.append(f"{name}: edge {width}px at {ratio:.2f}:1 on {html}")
    context.close()
    assert rings >= 30 and edges >= 40, (rings, edges)  # the walk reached the controls
    assert not weak, "\n".join(weak)

"""The desktop's translation catalogues: regenerate, check and compile them with one command.

    python -m careapp.ui.language.catalog          # lupdate the .ts from the source, lrelease the .qm
    python -m careapp.ui.language.catalog --check  # the same in a scratch folder: exit 1 on a problem

The Qt Linguist sources live in ``resources/translations/careapp_<lang>.ts`` (without line
numbers, so moving code does not touch them); the compiled ``.qm`` ship in the package. A string
is a problem when it has no finished translation, or when its translation drops or adds a
placeholder (``%1``, ``%n``, ``{name}``), a keyboard shortcut (``&``) or a markup tag.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from careapp.settings import DESKTOP_LANGUAGES

PACKAGE = Path(__file__).resolve().parents[2]  # careapp/
REPOSITORY = PACKAGE.parent
SOURCES_DIR = REPOSITORY / "resources" / "translations"
COMPILED_DIR = PACKAGE / "ui" / "resources" / "translations"

_PLACEHOLDER = re.compile(r"%(?:\d+|n)|\{\w*\}")
_SHORTCUT = re.compile(r"&(?!&)(?=\S)")
_TAG = re.compile(r"</?\s*(\w+)")
_TIMEOUT = 120  # seconds; lupdate reads every UI module


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translations: tuple[str, ...]  # one, or one per plural form
    finished: bool


def ui_sources() -> list[Path]:
    """Every module that can show text: the UI package and the composition root, not tests."""
    found = [p for p in (PACKAGE / "ui").rglob("*.py") if "tests" not in p.relative_to(PACKAGE).parts]
    return sorted([*found, PACKAGE / "app.py"])


def catalogue_path(language: str, folder: Path = SOURCES_DIR) -> Path:
    return folder / f"careapp_{language}.ts"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    found = str(beside) if beside.exists() else shutil.which(f"pyside6-{name}")
    if not found:
        raise SystemExit(f"pyside6-{name} not found: install PySide6 in this environment.")
    return found


def update(catalogues: Sequence[Path], sources: Iterable[Path]) -> None:
    """Merge the source's current strings into ``catalogues`` (new ones come in unfinished)."""
    command = [_tool("lupdate"), "-locations", "none", "-no-obsolete", *map(str, sources), "-ts"]
    subprocess.run([*command, *map(str, catalogues)], check=True, capture_output=True, timeout=_TIMEOUT)


def release(catalogue: Path, compiled: Path) -> None:
    compiled.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_tool("lrelease"), str(catalogue), "-qm", str(compiled)],
        check=True,
        capture_output=True,
        timeout=_TIMEOUT,
    )


def read(catalogue: Path) -> list[Message]:
    messages = []
    for context in ET.parse(catalogue).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None:
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
            kind = translation.get("type")
            messages.append(
                Message(
                    name,
                    message.findtext("source", ""),
                    tuple(forms),
                    finished=kind not in ("unfinished", "vanished", "obsolete") and all(forms),
                )
            )
    return messages


def _shortcuts(text: str) -> int:
    return len(_SHORTCUT.findall(text.replace("&&", "")))


def _shortcut_keys(texts: Iterable[str]) -> list[str]:
    return [match.group(1).lower() for t in texts for match in re.finditer(r"&([^&\s])", t.replace("&&", ""))]


def clashing_shortcuts(messages: Iterable[Message]) -> list[str]:
    """Contexts (a dialog, a page) whose translations give two commands one key the source does not."""
    by_context: dict[str, list[Message]] = {}
    for m in messages:
        by_context.setdefault(m.context, []).append(m)
    found = []
    for context, group in sorted(by_context.items()):
        source = _shortcut_keys(m.source for m in group)
        translated = _shortcut_keys(m.translations[0] for m in group if m.finished)
        twice = sorted({k for k in translated if translated.count(k) > 1})
        if len(set(source)) == len(source) and twice:
            found.append(f"{context}: shortcut {', '.join('&' + k for k in twice)} is given twice")
    return found


def problems(messages: Iterable[Message]) -> list[str]:
    """One line per string that would show wrongly: untranslated, or not matching its source."""
    messages = list(messages)
    found = clashing_shortcuts(messages)
    for m in messages:
        where = f"{m.context}: {m.source!r}"
        if not m.finished:
            found.append(f"{where} is not translated")
            continue
        for text in m.translations:
            wanted = Counter(_PLACEHOLDER.findall(m.source))
            if "%n" in wanted and len(m.translations) > 1:
                wanted.pop("%n")  # a plural form may spell out its number ("un patient")
                have = Counter(p for p in _PLACEHOLDER.findall(text) if p != "%n")
            else:
                have = Counter(_PLACEHOLDER.findall(text))
            if have != wanted:
                have_text, wanted_text = sorted(have.elements()), sorted(wanted.elements())
                found.append(f"{where}: {text!r} has placeholders {have_text}, not {wanted_text}")
            if _shortcuts(text) != _shortcuts(m.source):
                found.append(f"{where}: {text!r} must keep exactly {_shortcuts(m.source)} shortcut (&)")
            if Counter(_TAG.findall(text)) != Counter(_TAG.findall(m.source)):
                found.append(f"{where}: {text!r} changes the markup")
    return found


def regenerate(
    source_dir: Path, compiled_dir: Path, languages: Sequence[str] = DESKTOP_LANGUAGES
) -> list[str]:
    """Update the catalogues in ``source_dir`` from the code, compile them, return the problems."""
    catalogues = [catalogue_path(language, source_dir) for language in languages]
    update(catalogues, ui_sources())
    found = []
    for language, catalogue in zip(languages, catalogues, strict=True):
        release(catalogue, compiled_dir / f"careapp_{language}.qm")
        found += [f"{language}: {line}" for line in problems(read(catalogue))]
    return found


def check() -> list[str]:
    """What ``regenerate`` would report and change, without touching the repository."""
    with tempfile.TemporaryDirectory(prefix="careapp-ts-") as scratch:
        sources, compiled = Path(scratch, "ts"), Path(scratch, "qm")
        shutil.copytree(SOURCES_DIR, sources)
        found = regenerate(sources, compiled)
        for language in DESKTOP_LANGUAGES:
            name = f"careapp_{language}"
            if (sources / f"{name}.ts").read_bytes() != (SOURCES_DIR / f"{name}.ts").read_bytes():
                found.append(f"{language}: {name}.ts differs from the code: run this without --check")
            shipped = COMPILED_DIR / f"{name}.qm"
            if not shipped.exists() or shipped.read_bytes() != (compiled / f"{name}.qm").read_bytes():
                found.append(
                    f"{language}: {name}.qm is not compiled from {name}.ts: run this without --check"
                )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m careapp.ui.language.catalog",
        description="Update the desktop's .ts catalogues from the code and compile the .qm files.",
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on any problem")
    args = parser.parse_args(argv)
    found = check() if args.check else regenerate(SOURCES_DIR, COMPILED_DIR)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} translation problems: translate them in pyside6-linguist.", file=sys.stderr)
    return 1 if found and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

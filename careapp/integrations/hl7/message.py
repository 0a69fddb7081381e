"""A small read-only view over python-hl7's parse tree with 1-based HL7 positions.

python-hl7 nests leaves at different depths depending on which separators a field contains;
these helpers always give repetitions → components → text, with escapes undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from hl7.exceptions import ParseException
from hl7.parser import create_parse_plan

from careapp.integrations.hl7.codec import DecodeError, decode, unescape

SEGMENT_ID_LENGTH = 3


class ParseError(ValueError):
    """Text that is not an HL7 message; the message says why without quoting data."""


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    fields: tuple[str, ...]  # raw (escaped) field text; fields[n] is field n (MSH counted as HL7 does)
    separators: str  # component, repetition, escape, sub-component

    def raw(self, n: int) -> str:
        return self.fields[n] if 0 < n < len(self.fields) else ""

    def repetitions(self, n: int) -> list[list[str]]:
        """Field ``n`` as repetitions of unescaped components (first sub-component of each)."""
        comp, rep, esc, sub = tuple(self.separators)
        raw = self.raw(n)
        if not raw:
            return []
        return [[unescape(c.split(sub, 1)[0], esc) for c in r.split(comp)] for r in raw.split(rep)]

    def component(self, n: int, c: int = 1, rep: int = 1) -> str:
        reps = self.repetitions(n)
        if rep > len(reps) or c > len(reps[rep - 1]):
            return ""
        return reps[rep - 1][c - 1].strip()

    def field(self, n: int) -> str:
        """First component of the first repetition, unescaped and stripped."""
        return self.component(n, 1, 1)


@dataclass(frozen=True, slots=True)
class Message:
    segments: tuple[Segment, ...]

    @property
    def msh(self) -> Segment:
        return self.segments[0]

    def first(self, name: str) -> Segment | None:
        return next((s for s in self.segments if s.name == name), None)

    def all(self, name: str) -> list[Segment]:
        return [s for s in self.segments if s.name == name]

    @property
    def control_id(self) -> str:
        return self.msh.field(10)

    @property
    def message_type(self) -> tuple[str, str]:
        return self.msh.component(9, 1), self.msh.component(9, 2)


def parse_text(text: str) -> Message:
    """One HL7 message (CR-separated) → Message. Raises ParseError."""
    text = text.strip("\r\n\x00 \t")
    if not text.startswith("MSH") or len(text) < 8:
        raise ParseError("does not start with an MSH segment")
    field_sep = text[3]
    encoding = text[4 : text.find(field_sep, 4)] if text.find(field_sep, 4) > 0 else ""
    if field_sep.isalnum() or field_sep in "\r\n" or len(encoding) < 3:
        raise ParseError("MSH has no valid separators")
    try:
        # python-hl7 reads the delimiters from MSH-1/MSH-2 (and rejects impossible headers).
        plan = create_parse_plan(text)
    except (ParseException, ValueError, IndexError, AssertionError) as exc:
        raise ParseError(f"cannot be parsed ({type(exc).__name__})") from None
    # Segments and fields are split eagerly; repetitions and components only when a field is
    # read: most fields of a message are never looked at, and a 10,000-file SIU pull notices.
    # MSH-2 order: component, repetition, escape, sub-component (the last may be omitted).
    separators = (encoding + "&")[:4]
    if plan.separators[1] != field_sep:
        raise ParseError("MSH has no valid separators")
    segments: list[Segment] = []
    for line in text.split("\r"):
        if not line.strip():
            continue
        raw_fields = line.split(field_sep)
        name = raw_fields[0]
        if len(name) != SEGMENT_ID_LENGTH or not name.isalnum() or not name.isupper():
            raise ParseError("contains a segment with an invalid name")
        if name == "MSH":
            # HL7 counts the field separator itself as MSH-1, so MSH-n is raw_fields[n - 1].
            raw_fields.insert(1, field_sep)
        segments.append(Segment(name, tuple(raw_fields), separators))
    if not segments or segments[0].name != "MSH":
        raise ParseError("does not start with an MSH segment")
    message = Message(tuple(segments))
    if not message.control_id:
        raise ParseError("MSH-10 (message control id) is empty")
    return message


def parse_bytes(data: bytes, fallback: str = "") -> Message:
    """Wire bytes → Message, decoding by MSH-18 (``fallback`` without one). Raises ParseError."""
    try:
        return parse_text(decode(data, fallback))
    except DecodeError as exc:
        raise ParseError(str(exc)) from None


def split_messages(text: str) -> list[str]:
    """A file or batch (FHS/BHS … BTS/FTS) → the text of each message, in order."""
    messages: list[list[str]] = []
    for line in text.split("\r"):
        stripped = line.strip("\n\x00 \t")
        head = stripped[:3]
        if not stripped or head in ("FHS", "BHS", "FTS", "BTS"):
            continue
        if head == "MSH":
            messages.append([stripped])
        elif messages:
            messages[-1].append(stripped)
        else:
            raise ParseError("a segment precedes the first MSH")
    return ["\r".join(m) + "\r" for m in messages]

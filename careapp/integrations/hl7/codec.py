"""Bytes ↔ HL7 text: character set by MSH-18, line endings normalised, escapes.

python-hl7 does the parsing; this module decides how to turn the wire bytes into text first,
because python-hl7 needs the encoding up front and MSH-18 sits inside the bytes themselves.
"""

from __future__ import annotations

import re

# HL7 table 0211 (plus common spellings seen in the wild) → Python codec.
_CHARSETS = {
    "": "ascii",
    "ASCII": "ascii",
    "8859/1": "latin-1",
    "8859/15": "iso8859-15",
    "ISO-8859-1": "latin-1",
    "ISO8859-1": "latin-1",
    "ISO_IR 100": "latin-1",
    "UNICODE UTF-8": "utf-8",
    "UNICODE": "utf-8",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
}
_ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}
_LINE_ENDINGS = re.compile(rb"\r\n|\n\r?")


class DecodeError(ValueError):
    """Bytes that cannot be HL7 text; the message says why, without quoting the data."""


def normalise_line_endings(data: bytes) -> bytes:
    """CRLF and LF → CR (HL7's segment terminator); files and some engines use either."""
    return _LINE_ENDINGS.sub(b"\r", data)


def charset_of(data: bytes) -> str:
    """MSH-18 of the first MSH in ``data`` ('' when absent). MSH is ASCII in every charset."""
    start = data.find(b"MSH")
    if start < 0 or len(data) < start + 8:
        raise DecodeError("no MSH segment")
    sep = data[start + 3 : start + 4]
    end = data.find(b"\r", start)
    header = data[start : end if end >= 0 else len(data)]
    fields = header.split(sep)
    # fields[0] is "MSH", fields[1] the encoding characters, so MSH-n is fields[n - 1].
    return fields[17].split(b"^")[0].strip().decode("ascii", "replace") if len(fields) > 17 else ""


def codec_for(charset: str) -> str:
    try:
        return _CHARSETS[charset.strip().upper()]
    except KeyError:
        raise DecodeError(f"unsupported character set {charset!r} in MSH-18") from None


def decode(data: bytes) -> str:
    """Wire bytes → HL7 text with CR segment terminators."""
    data = normalise_line_endings(data)
    codec = codec_for(charset_of(data))
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec == "ascii":
            # MSH-18 empty yet 8-bit data: senders that omit MSH-18 mostly mean UTF-8, then Latin-1.
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data.decode("latin-1")
        raise DecodeError(f"bytes are not valid {codec}") from None


def escape(text: str, esc: str = "\\") -> str:
    """Escape HL7 delimiters in a value (the escape character first)."""
    out = text.replace(esc, f"{esc}E{esc}")
    for code, char in (("F", "|"), ("S", "^"), ("T", "&"), ("R", "~")):
        out = out.replace(char, f"{esc}{code}{esc}")
    return out


def unescape(text: str, esc: str = "\\") -> str:
    """Undo delimiter escapes; hex (\\Xhh..\\) decoded as Latin-1/UTF-8; formatting dropped."""
    if esc not in text:
        return text
    parts = text.split(esc)
    out = [parts[0]]
    # Odd positions hold escape sequences, even ones literal text.
    for i in range(1, len(parts)):
        chunk = parts[i]
        if i % 2 == 0:
            out.append(chunk)
        elif chunk in _ESCAPES:
            out.append(_ESCAPES[chunk])
        elif chunk[:1] == "X" and len(chunk) > 1:
            out.append(_hex(chunk[1:]))
        elif chunk in (".br",):
            out.append("\n")
        # H, N, Cxxyy, Mxxyyzz and unknown sequences carry no text: dropped.
    if len(parts) % 2 == 0:  # an unterminated escape: keep the rest literally
        out[-1] = esc + out[-1]
    return "".join(out)


def _hex(digits: str) -> str:
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")

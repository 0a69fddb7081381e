"""Bytes ↔ HL7 text: character set by MSH-18, line endings normalised, escapes.

python-hl7 does the parsing; this module decides how to turn the wire bytes into text first,
because python-hl7 needs the encoding up front and MSH-18 sits inside the bytes themselves.
"""

from __future__ import annotations

import codecs
import re

# HL7 table 0211 (v2.5) → Python codec. CNS 11643-1992 has no Python codec: refused by name.
TABLE_0211 = {
    "ASCII": "ascii",
    **{f"8859/{n}": f"iso8859-{n}" for n in range(1, 10)},
    "8859/15": "iso8859-15",
    "ISO IR14": "shift_jis",  # JIS X 0201: its single-byte half
    "ISO IR87": "iso2022_jp_2",  # JIS X 0208, designated by ISO 2022 escapes
    "ISO IR159": "iso2022_jp_2",  # JIS X 0212, likewise
    "GB 18030": "gb18030",
    "KS X 1001": "euc_kr",
    "BIG-5": "big5",
    "UNICODE": "utf-8",
    "UNICODE UTF-8": "utf-8",
    "UNICODE UTF-16": "utf-16",
    "UNICODE UTF-32": "utf-32",
}
UNDECODABLE_0211 = ("CNS 11643-1992",)
# Spellings seen in the wild instead of table 0211 values: "UTF-8", "ISO-8859-2", "CP1250".
_SPELLINGS = re.compile(
    r"^(?:(?P<utf>UTF-?(?:8|16|32))|ISO[-_ ]?(?:IR[-_ ]?100|8859[-_/ ]?(?P<iso>\d{1,2}))"
    r"|(?:WINDOWS|WIN|CP)[-_ ]?(?P<cp>\d{3,4}))$"
)
# A set named in a later MSH-18 repetition is reached by ISO 2022 escapes inside the text.
_ISO2022_SETS = {"ISO IR14", "ISO IR87", "ISO IR159"}
_ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}
_LINE_ENDINGS = re.compile(rb"\r\n|\n\r?")
# Byte-order marks of the wide encodings, longest first (UTF-32-LE's starts like UTF-16-LE's).
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_WIDE_MSH = ((b"M\0\0\0S\0\0\0", "utf-32-le"), (b"\0\0\0M\0\0\0S", "utf-32-be"),
             (b"M\0S\0H\0", "utf-16-le"), (b"\0M\0S\0H", "utf-16-be"))  # fmt: skip


class DecodeError(ValueError):
    """Bytes that cannot be HL7 text; the message says why, without quoting the data."""


def normalise_line_endings(data: bytes) -> bytes:
    """CRLF and LF → CR (HL7's segment terminator); files and some engines use either."""
    return _LINE_ENDINGS.sub(b"\r", data)


def charset_of(data: bytes) -> str:
    """MSH-18 of the first MSH in ``data`` ('' when absent). MSH is ASCII in every 8-bit set.

    Several repetitions (``~ISO IR87``) name the default set first and the sets ISO 2022
    escapes switch to after it; the codec chosen must then understand those escapes."""
    start = data.find(b"MSH")
    if start < 0 or len(data) < start + 8:
        raise DecodeError("no MSH segment")
    sep = data[start + 3 : start + 4]
    end = data.find(b"\r", start)
    header = data[start : end if end >= 0 else len(data)]
    fields = header.split(sep)
    # fields[0] is "MSH", fields[1] the encoding characters, so MSH-n is fields[n - 1].
    if len(fields) <= 17:
        return ""
    repetition = fields[1][1:2] or b"~"
    reps = fields[17].split(repetition)
    names = [r.split(b"^")[0].strip().decode("ascii", "replace").upper() for r in reps]
    # ISO IR87's codec (ISO-2022-JP-2) follows the escapes to every set table 0211 lists there.
    return "ISO IR87" if any(n in _ISO2022_SETS for n in names[1:]) else names[0]


def codec_for(charset: str) -> str:
    """The Python codec for an MSH-18 value (table 0211, or a common spelling of a code page)."""
    name = charset.strip().upper()
    if not name:
        return "ascii"
    if name in TABLE_0211:
        return TABLE_0211[name]
    match = _SPELLINGS.match(name)
    if match and name not in UNDECODABLE_0211:
        codec = (
            f"utf-{match['utf'].removeprefix('UTF').strip('-')}" if match["utf"]
            else f"cp{match['cp']}" if match["cp"]
            else f"iso8859-{match['iso'] or 1}"
        )  # fmt: skip
        try:
            return codecs.lookup(codec).name
        except LookupError:
            pass
    raise DecodeError(f"unsupported character set {charset.strip()[:20]!r} in MSH-18")


def decode(data: bytes, fallback: str = "") -> str:
    """Wire bytes → HL7 text with CR segment terminators.

    The character set is MSH-18's. A UTF-8 byte-order mark (FHIR-Converter samples start with
    one) means UTF-8; UTF-16/32 are recognised by their mark or by a wide "MSH". Without
    MSH-18, 8-bit bytes are read as ``fallback`` (the hospital's agreed code page) when one is
    configured, else as UTF-8 and then Latin-1, which is what such senders mostly mean."""
    for marks in (_WIDE_BOMS, _WIDE_MSH):
        for mark, wide in marks:
            if data.startswith(mark):
                return _decode_wide(data, wide)
    charset = "UNICODE UTF-8" if data.startswith(codecs.BOM_UTF8) else ""
    data = normalise_line_endings(data.removeprefix(codecs.BOM_UTF8))
    charset = charset or charset_of(data)
    codec = codec_for(charset)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec != "ascii":
            raise DecodeError(f"bytes are not valid {codec}") from None
    if fallback:
        try:
            return data.decode(codec_for(fallback))
        except UnicodeDecodeError:
            raise DecodeError(f"bytes without MSH-18 are not valid {fallback}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode_wide(data: bytes, codec: str) -> str:
    try:
        text = data.decode(codec).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise DecodeError(f"bytes are not valid {codec}") from None
    return re.sub(r"\r\n|\n\r?", "\r", text)


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

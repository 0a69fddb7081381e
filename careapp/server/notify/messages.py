"""What a patient receives: an e-mail (plain text and HTML) or an SMS, in the patient's language.

Only the first name, the link, the ward's phone (the definition's ``ward_phone`` constant) and,
when the definition marks it shareable, the care flow's title: never a diagnosis, an activity's
title or a hospital id (a phone's lock screen shows the first lines to anyone nearby).
"""

from __future__ import annotations

import quopri
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from html import escape

from careapp.domain.notifications import SMS_LIMIT, gsm7_length, to_gsm7

LANGUAGES = ("en", "nl", "fr")
WARD_PHONE_CONSTANT = "ward_phone"
ANNOUNCEMENT, REMINDER, CLINICIAN = "announcement", "reminder", "clinician"

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "subject_announcement": "Something new is waiting for you",
        "subject_reminder": "Reminder: something is still waiting for you",
        "subject_clinician": "Your link from the ward",
        "hello": "Hello {name},",
        "announcement": "Your care team has something for you to complete.",
        "reminder": "A reminder: something from your care team is still waiting for you.",
        "clinician": "Here is the link your care team promised to send you.",
        "about": "It is part of: {title}.",
        "open": "Open it here",
        "phone": "Questions? Call the ward on {phone}.",
        "why": "You receive this because your care team enrolled you. Stop these e-mails:",
        "stop_sms": "STOP to opt out",
    },
    "nl": {
        "subject_announcement": "Er staat iets nieuws voor u klaar",
        "subject_reminder": "Herinnering: er staat nog iets voor u klaar",
        "subject_clinician": "Uw link van de afdeling",
        "hello": "Beste {name},",
        "announcement": "Uw zorgteam heeft iets voor u om in te vullen.",
        "reminder": "Een herinnering: er staat nog iets van uw zorgteam voor u klaar.",
        "clinician": "Hier is de link die uw zorgteam u beloofde te sturen.",
        "about": "Het hoort bij: {title}.",
        "open": "Open het hier",
        "phone": "Vragen? Bel de afdeling op {phone}.",
        "why": "U krijgt dit omdat uw zorgteam u heeft ingeschreven. Geen e-mails meer:",
        "stop_sms": "STOP om af te melden",
    },
    "fr": {
        "subject_announcement": "Quelque chose de nouveau vous attend",
        "subject_reminder": "Rappel : quelque chose vous attend encore",
        "subject_clinician": "Votre lien du service",
        "hello": "Bonjour {name},",
        "announcement": "Votre équipe soignante a quelque chose à vous faire compléter.",
        "reminder": "Un rappel : quelque chose de votre équipe soignante vous attend encore.",
        "clinician": "Voici le lien que votre équipe soignante vous a promis.",
        "about": "Cela fait partie de : {title}.",
        "open": "Ouvrez-le ici",
        "phone": "Des questions ? Appelez le service au {phone}.",
        "why": "Vous recevez ceci car votre équipe soignante vous a inscrit. Ne plus recevoir d'e-mails :",
        "stop_sms": "STOP pour vous désinscrire",
    },
}


def language_of(preferred: str | None) -> str:
    """The patient's language if we speak it (``nl-BE`` → ``nl``), else English."""
    primary = (preferred or "").split("-")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else "en"


def first_name(given_name: str) -> str:
    return given_name.split()[0] if given_name.split() else ""


@dataclass(frozen=True)
class Content:
    """Everything a message says; KIND is announcement, reminder or clinician."""

    kind: str
    language: str
    first_name: str
    link: str
    ward_phone: str | None = None
    title: str | None = None  # only when the definition marks it shareable

    def t(self, key: str, **values: str) -> str:
        return _TEXT[self.language][key].format(**values)

    def lines(self) -> list[str]:
        out = [self.t(self.kind)]
        if self.title:
            out.append(self.t("about", title=self.title))
        return out


@dataclass(frozen=True)
class Envelope:
    message_id: str  # <…@host>, the same on every attempt
    sender: str
    to: str
    unsubscribe_url: str
    date: datetime


def _header(value: str) -> str:
    """An unstructured header value, RFC 2047 encoded when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def _part(subtype: str, text: str) -> bytes:
    # Quoted-printable: SMTP refuses lines over 998 octets (RFC 5321 §4.5.3.1.6), the HTML is one.
    body = quopri.encodestring(text.encode())  # LF line ends here; CRLF for the whole mail at the end
    head = f"Content-Type: text/{subtype}; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    return head.encode() + body


def email(content: Content, envelope: Envelope) -> bytes:
    """A multipart/alternative mail, plain text first and HTML second (RFC 2046 order of
    preference), ready for SMTP (CRLF line ends). Written out directly: building it as an
    EmailMessage costs ten times as much (its header registry parses every header it is given)."""
    hello = content.t("hello", name=content.first_name)
    phone = content.t("phone", phone=content.ward_phone) if content.ward_phone else ""
    plain = [hello, "", *content.lines(), "", f"{content.t('open')}: {content.link}"]
    if phone:
        plain += ["", phone]
    plain += ["", "--", content.t("why"), envelope.unsubscribe_url]
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in content.lines())
    html = (
        f'<!doctype html><html lang="{content.language}"><body style="font-family:sans-serif">'
        f"<p>{escape(hello)}</p>{paragraphs}"
        f'<p><a href="{escape(content.link)}" style="font-size:1.2em">{escape(content.t("open"))}</a></p>'
        + (f"<p>{escape(phone)}</p>" if phone else "")
        + f'<hr><p style="font-size:0.8em">{escape(content.t("why"))} '
        f'<a href="{escape(envelope.unsubscribe_url)}">{escape(envelope.unsubscribe_url)}</a></p>'
        "</body></html>"
    )
    boundary = "=_careapp_" + envelope.message_id.strip("<>").split("@")[0]
    headers = [
        ("Subject", _header(content.t(f"subject_{content.kind}"))),
        ("From", _address(envelope.sender)),
        ("To", envelope.to),
        ("Date", format_datetime(envelope.date)),
        ("Message-ID", envelope.message_id),
        # RFC 2369 and RFC 8058: mail clients show "Unsubscribe" and may POST to it in one click.
        ("List-Unsubscribe", f"<{envelope.unsubscribe_url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
        ("Content-Language", content.language),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    head = "".join(f"{name}: {value}\n" for name, value in headers).encode()
    sep = f"--{boundary}\n".encode()
    parts = sep + _part("plain", "\n".join(plain) + "\n") + b"\n" + sep + _part("html", html) + b"\n"
    return (head + b"\n" + parts + f"--{boundary}--\n".encode()).replace(b"\n", b"\r\n")


def sms(content: Content) -> str:
    """The SMS text: within 160 GSM-7 characters where possible, dropping the least needed parts
    first (the title, the ward's phone, then the greeting); the link is always whole."""
    hello = content.t("hello", name=content.first_name)
    stop = content.t("stop_sms")
    phone = content.t("phone", phone=content.ward_phone) if content.ward_phone else None
    about = content.t("about", title=content.title) if content.title else None
    parts = [hello, content.t(content.kind), about, content.link, phone, stop]
    for drop in (None, about, phone, hello):
        if drop is not None:
            parts = [p for p in parts if p is not drop]
        text = to_gsm7(" ".join(p for p in parts if p))
        length = gsm7_length(text)
        if length is not None and length <= SMS_LIMIT:
            return text
    return text  # longer than one part: the gateway sends it concatenated

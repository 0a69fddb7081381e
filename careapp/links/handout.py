"""What a patient reads next to a QR code: the handout, the full-screen view and the waiting-room poster.

Deliberately thin on patient data: the first name and nothing else (the sheet may be left on a
bus). Texts are in the patient's language (en, nl, fr, de, es, pl), falling back to English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from careapp.domain.forms import PATIENT_LANGUAGES

LANGUAGES = PATIENT_LANGUAGES

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "hello_anonymous": "Hello,",
        "title": "Your questions from the care team",
        "step_scan": "Open the camera of your phone and point it at the code.",
        "step_open": "Tap the link that appears. The page opens in your browser; no app is needed.",
        "step_answer": "Answer the questions. Your care team sees your answers.",
        "static_note": "You can use this code again until everything is done.",
        "session_note": "This code is valid until {time}. Ask for a new one after that.",
        "type_link": "Or type this address in your browser:",
        "scan_short": "Scan this code with your phone's camera.",
        "valid_until": "Valid until {time}",
        "poster_title": "{flow}",
        "poster_scan": "Scan this code with your phone's camera to start.",
        "poster_note": "Your answers go to your care team. Ask at the desk if you need help.",
    },
    "nl": {
        "hello": "Hallo {name},",
        "hello_anonymous": "Hallo,",
        "title": "Uw vragen van het zorgteam",
        "step_scan": "Open de camera van uw telefoon en richt hem op de code.",
        "step_open": "Tik op de link die verschijnt. De pagina opent in uw browser; u hebt geen app nodig.",
        "step_answer": "Beantwoord de vragen. Uw zorgteam ziet uw antwoorden.",
        "static_note": "U kunt deze code opnieuw gebruiken tot alles ingevuld is.",
        "session_note": "Deze code is geldig tot {time}. Vraag daarna een nieuwe.",
        "type_link": "Of typ dit adres in uw browser:",
        "scan_short": "Scan deze code met de camera van uw telefoon.",
        "valid_until": "Geldig tot {time}",
        "poster_title": "{flow}",
        "poster_scan": "Scan deze code met de camera van uw telefoon om te beginnen.",
        "poster_note": "Uw antwoorden gaan naar uw zorgteam. Vraag hulp aan de balie als dat nodig is.",
    },
    "fr": {
        "hello": "Bonjour {name},",
        "hello_anonymous": "Bonjour,",
        "title": "Vos questions de l'équipe soignante",
        "step_scan": "Ouvrez l'appareil photo de votre téléphone et visez le code.",
        "step_open": "Touchez le lien qui apparaît. La page s'ouvre dans votre navigateur, sans application.",
        "step_answer": "Répondez aux questions. Votre équipe soignante voit vos réponses.",
        "static_note": "Vous pouvez réutiliser ce code jusqu'à ce que tout soit rempli.",
        "session_note": "Ce code est valable jusqu'à {time}. Demandez-en un nouveau ensuite.",
        "type_link": "Ou tapez cette adresse dans votre navigateur :",
        "scan_short": "Scannez ce code avec l'appareil photo de votre téléphone.",
        "valid_until": "Valable jusqu'à {time}",
        "poster_title": "{flow}",
        "poster_scan": "Scannez ce code avec l'appareil photo de votre téléphone pour commencer.",
        "poster_note": "Vos réponses vont à votre équipe soignante. Besoin d'aide ? Demandez à l'accueil.",
    },
    "de": {
        "hello": "Hallo {name},",
        "hello_anonymous": "Hallo,",
        "title": "Ihre Fragen von Ihrem Behandlungsteam",
        "step_scan": "Öffnen Sie die Kamera Ihres Telefons und richten Sie sie auf den Code.",
        "step_open": "Tippen Sie auf den erscheinenden Link. Die Seite öffnet sich im Browser, ohne App.",
        "step_answer": "Beantworten Sie die Fragen. Ihr Behandlungsteam sieht Ihre Antworten.",
        "static_note": "Sie können diesen Code wieder verwenden, bis alles erledigt ist.",
        "session_note": "Dieser Code gilt bis {time} Uhr. Danach bitten Sie um einen neuen.",
        "type_link": "Oder geben Sie diese Adresse in Ihren Browser ein:",
        "scan_short": "Scannen Sie diesen Code mit der Kamera Ihres Telefons.",
        "valid_until": "Gültig bis {time} Uhr",
        "poster_title": "{flow}",
        "poster_scan": "Scannen Sie diesen Code mit der Kamera Ihres Telefons, um zu beginnen.",
        "poster_note": "Ihre Antworten gehen an Ihr Behandlungsteam. Fragen Sie bei Bedarf am Empfang.",
    },
    "es": {
        "hello": "Hola, {name}:",
        "hello_anonymous": "Hola:",
        "title": "Sus preguntas del equipo de atención",
        "step_scan": "Abra la cámara de su teléfono y apúntela al código.",
        "step_open": "Toque el enlace que aparece. La página se abre en su navegador, sin aplicación.",
        "step_answer": "Responda a las preguntas. Su equipo de atención verá sus respuestas.",
        "static_note": "Puede volver a usar este código hasta que haya terminado todo.",
        "session_note": "Este código es válido hasta las {time}. Después, pida uno nuevo.",
        "type_link": "O escriba esta dirección en su navegador:",
        "scan_short": "Escanee este código con la cámara de su teléfono.",
        "valid_until": "Válido hasta las {time}",
        "poster_title": "{flow}",
        "poster_scan": "Escanee este código con la cámara de su teléfono para empezar.",
        "poster_note": "Sus respuestas van a su equipo de atención. ¿Necesita ayuda? Pregunte en recepción.",
    },
    "pl": {
        "hello": "Dzień dobry, {name}!",
        "hello_anonymous": "Dzień dobry!",
        "title": "Pytania od Twojego zespołu opieki",
        "step_scan": "Otwórz aparat w telefonie i skieruj go na kod.",
        "step_open": "Dotknij linku, który się pojawi. Strona otworzy się w przeglądarce, bez aplikacji.",
        "step_answer": "Odpowiedz na pytania. Twój zespół opieki zobaczy odpowiedzi.",
        "static_note": "Możesz używać tego kodu, dopóki wszystko nie zostanie wypełnione.",
        "session_note": "Ten kod jest ważny do {time}. Potem poproś o nowy.",
        "type_link": "Możesz też wpisać ten adres w przeglądarce:",
        "scan_short": "Zeskanuj ten kod aparatem w telefonie.",
        "valid_until": "Ważny do {time}",
        "poster_title": "{flow}",
        "poster_scan": "Zeskanuj ten kod aparatem w telefonie, aby zacząć.",
        "poster_note": "Odpowiedzi trafiają do zespołu opieki. Potrzebujesz pomocy? Zapytaj w rejestracji.",
    },
}


def language_of(tag: str | None) -> str:
    """The handout language for a BCP 47 tag ("nl-BE" → "nl"); English when we have no texts."""
    primary = (tag or "").replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in _TEXT else "en"


def first_name(given_name: str | None) -> str:
    """The first given name only ("Anna Maria" → "Anna"): all the sheet says about the patient."""
    parts = (given_name or "").split()
    return parts[0] if parts else ""


def local_time(utc_naive: datetime, tz: tzinfo | None = None) -> datetime:
    """A naive-UTC timestamp (as stored and as the API gives it) in the ward's time zone."""
    return utc_naive.replace(tzinfo=UTC).astimezone(tz)


def clock_time(moment: datetime) -> str:
    """24-hour "14:35": what readers of every handout language in a hospital understand."""
    return moment.strftime("%H:%M")


@dataclass(frozen=True, slots=True)
class Handout:
    """The printed sheet (and, shortened, the full-screen view) for one link."""

    language: str
    first_name: str
    title: str
    greeting: str
    steps: tuple[str, ...]
    note: str
    link: str
    link_caption: str
    scan_short: str
    valid_until: str | None  # "Valid until 14:35" for a session; None for a static link


def handout_for(
    given_name: str | None,
    link: str,
    *,
    language: str | None,
    expires_at: datetime | None = None,
    tz: tzinfo | None = None,
) -> Handout:
    """The handout for LINK. EXPIRES_AT (naive UTC) makes it a session handout with its expiry,
    shown in TZ (the workstation's zone by default)."""
    lang = language_of(language)
    text = _TEXT[lang]
    name = first_name(given_name)
    until = clock_time(local_time(expires_at, tz)) if expires_at is not None else None
    return Handout(
        language=lang,
        first_name=name,
        title=text["title"],
        greeting=text["hello"].format(name=name) if name else text["hello_anonymous"],
        steps=(text["step_scan"], text["step_open"], text["step_answer"]),
        note=text["session_note"].format(time=until) if until else text["static_note"],
        link=link,
        link_caption=text["type_link"],
        scan_short=text["scan_short"],
        valid_until=text["valid_until"].format(time=until) if until else None,
    )


@dataclass(frozen=True, slots=True)
class Poster:
    """A waiting-room poster: no patient at all, one generic enrollment link."""

    language: str
    title: str
    scan: str
    note: str
    link: str
    link_caption: str


def poster_for(flow_title: str, link: str, *, language: str | None = None) -> Poster:
    lang = language_of(language)
    text = _TEXT[lang]
    return Poster(
        language=lang,
        title=text["poster_title"].format(flow=flow_title),
        scan=text["poster_scan"],
        note=text["poster_note"],
        link=link,
        link_caption=text["type_link"],
    )

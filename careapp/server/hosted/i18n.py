"""The patient pages' words in English, Dutch and French, and the choice of language.

The language is the session's (set by whoever created it) or else the browser's first
supported Accept-Language; a ``?lang=`` on a page overrides both for that page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

LANGUAGES = ("en", "nl", "fr")
DEFAULT = "en"
NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "brand": "Your care",
        "task_of": "Task {n} of {total}",
        "send": "Send",
        "read": "I have read this",
        "done_checklist": "Done",
        "required": "required",
        "yes": "Yes",
        "no": "No",
        "fix_errors": "Some answers need your attention.",
        "error_prefix": "Error",
        "choose_value": "Choose a value",
        "done_title": "Thank you",
        "done_body": "You have completed everything for now. You can close this page.",
        "continue": "Continue",
        "expired_title": "This page has expired",
        "expired_body": "For your safety a link only stays open for a while. Open the link you received "
        "again, or ask your care team for a new one.",
        "revoked_title": "This link is no longer valid",
        "revoked_body": "Your care team has replaced this link. Please use the most recent one you received.",
        "invalid_title": "We cannot open this link",
        "invalid_body": "The link is incomplete or has been changed. Check that you opened the whole link, "
        "or scan the QR code again.",
        "nothing_title": "Nothing to do right now",
        "nothing_body": "There are no questions waiting for you. Your care team will let you know when "
        "there is something new.",
        "next_opens": "Your next questionnaire opens on {day}.",
        "birth_title": "Confirm it is you",
        "birth_intro": "Please enter your date of birth before you continue.",
        "birth_label": "Date of birth",
        "birth_wrong": "This date of birth does not match our records. Please try again.",
        "confirm": "Confirm",
        "retry_title": "Please try again",
        "retry_body": "This form was open for too long or was sent from another page. We have reloaded it.",
        "enroll_intro": "Press start to begin. It only takes a few minutes.",
        "register_intro": "Tell us who you are, so your care team can find your answers.",
        "given_name": "First name",
        "family_name": "Last name",
        "start": "Start",
        "choose_all": "Choose all that apply.",
        "choose_one": "Choose one.",
        "scale_hint": "From {low} to {high}.",
        "tick_all": "Tick every item when it is done.",
        "language": "Language",
        "footer": "Your answers go securely to your care team only.",
    },
    "nl": {
        "brand": "Uw zorg",
        "task_of": "Taak {n} van {total}",
        "send": "Versturen",
        "read": "Ik heb dit gelezen",
        "done_checklist": "Klaar",
        "required": "verplicht",
        "yes": "Ja",
        "no": "Nee",
        "fix_errors": "Enkele antwoorden hebben uw aandacht nodig.",
        "error_prefix": "Fout",
        "choose_value": "Kies een waarde",
        "done_title": "Dank u",
        "done_body": "U hebt voorlopig alles ingevuld. U mag deze pagina sluiten.",
        "continue": "Verder",
        "expired_title": "Deze pagina is verlopen",
        "expired_body": "Voor uw veiligheid blijft een link maar een tijd open. Open de link die u kreeg "
        "opnieuw, of vraag uw zorgteam om een nieuwe.",
        "revoked_title": "Deze link is niet meer geldig",
        "revoked_body": "Uw zorgteam heeft deze link vervangen. Gebruik de meest recente link die u kreeg.",
        "invalid_title": "We kunnen deze link niet openen",
        "invalid_body": "De link is onvolledig of werd gewijzigd. Controleer of u de volledige link opende, "
        "of scan de QR-code opnieuw.",
        "nothing_title": "Op dit moment is er niets te doen",
        "nothing_body": "Er wachten geen vragen op u. Uw zorgteam laat het weten wanneer er iets nieuws is.",
        "next_opens": "Uw volgende vragenlijst opent op {day}.",
        "birth_title": "Bevestig dat u het bent",
        "birth_intro": "Vul uw geboortedatum in voor u verdergaat.",
        "birth_label": "Geboortedatum",
        "birth_wrong": "Deze geboortedatum komt niet overeen met onze gegevens. Probeer het opnieuw.",
        "confirm": "Bevestigen",
        "retry_title": "Probeer het opnieuw",
        "retry_body": "Dit formulier stond te lang open of werd vanaf een andere pagina verstuurd. "
        "We hebben het opnieuw geladen.",
        "enroll_intro": "Druk op starten om te beginnen. Het duurt maar enkele minuten.",
        "register_intro": "Vertel ons wie u bent, zodat uw zorgteam uw antwoorden terugvindt.",
        "given_name": "Voornaam",
        "family_name": "Achternaam",
        "start": "Starten",
        "choose_all": "Kies alles wat van toepassing is.",
        "choose_one": "Kies er één.",
        "scale_hint": "Van {low} tot {high}.",
        "tick_all": "Vink elk punt aan als het gedaan is.",
        "language": "Taal",
        "footer": "Uw antwoorden gaan veilig en alleen naar uw zorgteam.",
    },
    "fr": {
        "brand": "Vos soins",
        "task_of": "Tâche {n} sur {total}",
        "send": "Envoyer",
        "read": "J'ai lu ce message",
        "done_checklist": "Terminé",
        "required": "obligatoire",
        "yes": "Oui",
        "no": "Non",
        "fix_errors": "Certaines réponses demandent votre attention.",
        "error_prefix": "Erreur",
        "choose_value": "Choisissez une valeur",
        "done_title": "Merci",
        "done_body": "Vous avez tout complété pour le moment. Vous pouvez fermer cette page.",
        "continue": "Continuer",
        "expired_title": "Cette page a expiré",
        "expired_body": "Pour votre sécurité, un lien ne reste ouvert qu'un certain temps. Rouvrez le lien "
        "reçu ou demandez-en un nouveau à votre équipe soignante.",
        "revoked_title": "Ce lien n'est plus valide",
        "revoked_body": "Votre équipe soignante a remplacé ce lien. Utilisez le lien le plus récent reçu.",
        "invalid_title": "Nous ne pouvons pas ouvrir ce lien",
        "invalid_body": "Le lien est incomplet ou a été modifié. Vérifiez que vous avez ouvert "
        "le lien entier, ou scannez à nouveau le code QR.",
        "nothing_title": "Rien à faire pour le moment",
        "nothing_body": "Aucune question ne vous attend. Votre équipe soignante vous préviendra quand il y "
        "aura du nouveau.",
        "next_opens": "Votre prochain questionnaire s'ouvre le {day}.",
        "birth_title": "Confirmez votre identité",
        "birth_intro": "Veuillez saisir votre date de naissance avant de continuer.",
        "birth_label": "Date de naissance",
        "birth_wrong": "Cette date de naissance ne correspond pas à nos données. Veuillez réessayer.",
        "confirm": "Confirmer",
        "retry_title": "Veuillez réessayer",
        "retry_body": "Ce formulaire est resté ouvert trop longtemps ou a été envoyé depuis une autre page. "
        "Nous l'avons rechargé.",
        "enroll_intro": "Appuyez sur commencer. Cela ne prend que quelques minutes.",
        "register_intro": "Dites-nous qui vous êtes, pour que votre équipe soignante retrouve vos réponses.",
        "given_name": "Prénom",
        "family_name": "Nom",
        "start": "Commencer",
        "choose_all": "Cochez tout ce qui s'applique.",
        "choose_one": "Choisissez une réponse.",
        "scale_hint": "De {low} à {high}.",
        "tick_all": "Cochez chaque point une fois fait.",
        "language": "Langue",
        "footer": "Vos réponses sont envoyées en toute sécurité à votre seule équipe soignante.",
    },
}

# The domain's validation messages (careapp.domain.forms), as sentences for the patient.
_ERRORS: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(p), t)
    for p, t in [
        (
            r"^is required$",
            {
                "en": "Please answer this question.",
                "nl": "Beantwoord deze vraag.",
                "fr": "Veuillez répondre à cette question.",
            },
        ),
        (
            r"^must be at most (?P<n>\d+) characters$",
            {
                "en": "Use at most {n} characters.",
                "nl": "Gebruik hoogstens {n} tekens.",
                "fr": "Utilisez au maximum {n} caractères.",
            },
        ),
        (
            r"^must be at least (?P<n>\d+) characters$",
            {
                "en": "Use at least {n} characters.",
                "nl": "Gebruik minstens {n} tekens.",
                "fr": "Utilisez au moins {n} caractères.",
            },
        ),
        (
            r"^must be a whole number$",
            {
                "en": "Enter a whole number.",
                "nl": "Vul een geheel getal in.",
                "fr": "Saisissez un nombre entier.",
            },
        ),
        (
            r"^must be a number$",
            {"en": "Enter a number.", "nl": "Vul een getal in.", "fr": "Saisissez un nombre."},
        ),
        (
            r"^must be at least (?P<n>[-0-9.e+]+)$",
            {"en": "Enter {n} or more.", "nl": "Vul {n} of meer in.", "fr": "Saisissez {n} ou plus."},
        ),
        (
            r"^must be at most (?P<n>[-0-9.e+]+)$",
            {"en": "Enter {n} or less.", "nl": "Vul {n} of minder in.", "fr": "Saisissez {n} ou moins."},
        ),
        (
            r"^must be a multiple of (?P<n>[-0-9.e+]+)$",
            {"en": "Use steps of {n}.", "nl": "Gebruik stappen van {n}.", "fr": "Utilisez des pas de {n}."},
        ),
        (
            r"^must be a date",
            {
                "en": "Enter a valid date.",
                "nl": "Vul een geldige datum in.",
                "fr": "Saisissez une date valide.",
            },
        ),
        (
            r"^must be on or after (?P<day>[0-9-]+)$",
            {
                "en": "Choose {day} or later.",
                "nl": "Kies {day} of later.",
                "fr": "Choisissez le {day} ou après.",
            },
        ),
        (
            r"^must be on or before (?P<day>[0-9-]+)$",
            {
                "en": "Choose {day} or earlier.",
                "nl": "Kies {day} of vroeger.",
                "fr": "Choisissez le {day} ou avant.",
            },
        ),
        (
            r"^must not be in the future$",
            {
                "en": "A date of birth cannot be in the future.",
                "nl": "Een geboortedatum kan niet in de toekomst liggen.",
                "fr": "Une date de naissance ne peut pas être dans le futur.",
            },
        ),
        (
            r"^must be after (?P<n>\d{4})$",
            {
                "en": "Check the year: enter a date after {n}.",
                "nl": "Controleer het jaar: vul een datum na {n} in.",
                "fr": "Vérifiez l'année : saisissez une date après {n}.",
            },
        ),
        (
            r"^must not contain control characters$",
            {
                "en": "Use letters, digits and punctuation only.",
                "nl": "Gebruik alleen letters, cijfers en leestekens.",
                "fr": "Utilisez uniquement des lettres, des chiffres et de la ponctuation.",
            },
        ),
        (
            r"^needs at least (?P<n>\d+) options$",
            {
                "en": "Choose at least {n}.",
                "nl": "Kies er minstens {n}.",
                "fr": "Choisissez-en au moins {n}.",
            },
        ),
        (
            r"^allows at most (?P<n>\d+) options$",
            {"en": "Choose at most {n}.", "nl": "Kies er hoogstens {n}.", "fr": "Choisissez-en au plus {n}."},
        ),
        (
            r"^must be an email address$",
            {
                "en": "Enter an email address such as name@example.org.",
                "nl": "Vul een e-mailadres in, zoals naam@voorbeeld.be.",
                "fr": "Saisissez une adresse e-mail, par exemple nom@exemple.fr.",
            },
        ),
        (
            r"^must be a telephone number$",
            {
                "en": "Enter a phone number, for example +32 470 12 34 56.",
                "nl": "Vul een telefoonnummer in, bijvoorbeeld +32 470 12 34 56.",
                "fr": "Saisissez un numéro de téléphone, par exemple +32 470 12 34 56.",
            },
        ),
        (
            r"^has an invalid format$",
            {
                "en": "This answer does not have the expected form.",
                "nl": "Dit antwoord heeft niet de verwachte vorm.",
                "fr": "Cette réponse n'a pas la forme attendue.",
            },
        ),
    ]
]
_FALLBACK_ERROR = {
    "en": "Please check this answer.",
    "nl": "Controleer dit antwoord.",
    "fr": "Veuillez vérifier cette réponse.",
}


def supported(language: str | None) -> str | None:
    if not language:
        return None
    primary = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an Accept-Language header (q-values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if (lang := supported(tag)) and quality > 0:
            choices.append((-quality, index, lang))
    return min(choices)[2] if choices else None


def negotiate(override: str | None, session_language: str | None, accept_language: str | None) -> str:
    return (
        supported(override) or supported(session_language) or from_accept_language(accept_language) or DEFAULT
    )


def translator(language: str) -> Callable[..., str]:
    texts = TEXTS.get(language, TEXTS[DEFAULT])

    def t(key: str, **values: object) -> str:
        text = texts.get(key) or TEXTS[DEFAULT][key]
        return text.format(**values) if values else text

    return t


_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}


_WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
}


def weekday_date(day: date, language: str) -> str:
    """A day as people say it ("Monday 14 December", "maandag 14 december", "lundi 14 décembre")."""
    weekday = _WEEKDAYS.get(language, _WEEKDAYS[DEFAULT]).split()[day.weekday()]
    return f"{weekday} {long_date(day, language).rsplit(' ', 1)[0]}"


def long_date(day: date, language: str) -> str:
    """A date spelled out ("7 January 2030"): unambiguous whatever format the browser's date field shows."""
    month = _MONTHS.get(language, _MONTHS[DEFAULT]).split()[day.month - 1]
    number = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return f"{number} {month} {day.year}"


def error_text(message: str, language: str) -> str:
    for pattern, texts in _ERRORS:
        if match := pattern.match(message):
            values = match.groupdict()
            if "day" in values:
                values["day"] = long_date(date.fromisoformat(values["day"]), language)
            return texts.get(language, texts[DEFAULT]).format(**values)
    return _FALLBACK_ERROR.get(language, _FALLBACK_ERROR[DEFAULT])

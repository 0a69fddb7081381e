"""The desktop's language: the workstation's setting, else the system locale; English otherwise.

The translations are compiled Qt catalogues shipped in the package
(``careapp/ui/resources/translations/careapp_<lang>.qm``, built from ``resources/translations``
by ``python -m careapp.ui.language.catalog``). Qt's own catalogue (``qtbase_<lang>.qm``) is loaded
beside ours so standard buttons (Save, Cancel) speak the same language. The chosen locale becomes
Qt's default, so dates and numbers follow it (``careapp.ui.dates``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from careapp.settings import DESKTOP_LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"


def chosen_locale(setting: str, system: QLocale | None = None) -> QLocale:
    """The workstation's locale: the system's, or the set language in the system's country.

    A Belgian workstation set to French gets fr_BE (its dates and numbers), not fr_FR; a set
    language the system's country has no locale for falls back to Qt's nearest.
    """
    system = system if system is not None else QLocale.system()
    if setting not in ("en", *DESKTOP_LANGUAGES):
        return system
    language = QLocale(setting).language()
    if system.language() == language:
        return system
    return QLocale(language, system.territory())


def install_language(app: QCoreApplication, setting: str, system: QLocale | None = None) -> QLocale:
    """Make ``setting`` (or the system locale) the app's language; returns the locale chosen.

    Replaces the catalogues an earlier call installed, so it can be called again.
    """
    locale = chosen_locale(setting, system)
    QLocale.setDefault(locale)
    for old in app.findChildren(QTranslator, "careapp_language"):
        app.removeTranslator(old)
        old.deleteLater()
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # English is the source text; a language we do not ship stays English throughout (Qt's
    # buttons too, rather than a German Cancel beside English labels).
    if locale.language() == QLocale.Language.English:
        return locale
    for name, folder in (("careapp", str(TRANSLATIONS_DIR)), ("qtbase", qt_dir)):
        translator = QTranslator(app)
        translator.setObjectName("careapp_language")
        if not translator.load(locale, name, "_", folder):
            translator.deleteLater()
            break
        app.installTranslator(translator)
    return locale

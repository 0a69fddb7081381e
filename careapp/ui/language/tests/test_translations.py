"""The desktop in Dutch and French: every string translated, nothing a translation may not drop
dropped, the compiled catalogues shipped and loaded, dates and numbers by the chosen locale."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from careapp import settings as store
from careapp.settings import BackendProfile, Settings
from careapp.ui.dates import date_text
from careapp.ui.language import TRANSLATIONS_DIR, chosen_locale, install_language
from careapp.ui.language.catalog import (
    REPOSITORY,
    SOURCES_DIR,
    Message,
    catalogue_path,
    problems,
    read,
    ui_sources,
    update,
)

# -- the catalogues ---------------------------------------------------------------------------


def test_the_catalogue_command_finds_every_string_translated_and_compiled() -> None:
    """The documented command, as a translator runs it: fails on any new, untranslated string."""
    done = subprocess.run(
        [sys.executable, "-m", "careapp.ui.language.catalog", "--check"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_ui_string_is_reported_until_translated(tmp_path: Path) -> None:
    """lupdate over the code plus a new dialog: its string arrives unfinished and is reported."""
    shutil.copy(catalogue_path("nl"), tmp_path / "careapp_nl.ts")
    new_dialog = tmp_path / "discharge_dialog.py"
    new_dialog.write_text(
        "from PySide6.QtWidgets import QDialog\n\n"
        "class DischargeDialog(QDialog):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        '        self.setWindowTitle(self.tr("Discharge %1"))\n'
    )
    update([tmp_path / "careapp_nl.ts"], [*ui_sources(), new_dialog])
    assert problems(read(tmp_path / "careapp_nl.ts")) == ["DischargeDialog: 'Discharge %1' is not translated"]


@pytest.mark.parametrize(
    ("source", "translation", "complaint"),
    [
        ("Saved {name}.", "Opgeslagen.", "has placeholders [], not ['{name}']"),
        ("Choose a new password for %1.", "Kies een nieuw wachtwoord.", "has placeholders [], not ['%1']"),
        ("File %1 of %2…", "Bestand %1 van %1…", "has placeholders ['%1', '%1'], not ['%1', '%2']"),
        ("&Unlock", "Ontgrendelen", "must keep exactly 1 shortcut (&)"),
        ("Unlock", "&Ontgrendelen", "must keep exactly 0 shortcut (&)"),
        ("<b>Care flows</b>", "Zorgpaden", "changes the markup"),
    ],
)
def test_a_translation_that_drops_a_placeholder_shortcut_or_tag_is_reported(
    source: str, translation: str, complaint: str
) -> None:
    [line] = problems([Message("Dialog", source, (translation,), finished=True)])
    assert complaint in line


def test_plural_forms_may_spell_out_one_and_two_commands_may_not_share_a_key() -> None:
    plural = Message(
        "Import", "%n patients match", ("un patient correspond", "%n patients correspondent"), True
    )
    assert problems([plural]) == []
    clash = [
        Message("Lock", "&Unlock", ("&Ontgrendelen",), True),
        Message("Lock", "S&witch user", ("&Other user",), True),
    ]
    assert problems(clash) == ["Lock: shortcut &o is given twice"]


def test_the_shipped_catalogues_hold_every_translation_of_the_sources() -> None:
    for language in ("nl", "fr"):
        messages = read(SOURCES_DIR / f"careapp_{language}.ts")
        assert len(messages) > 300 and problems(messages) == []
        assert (TRANSLATIONS_DIR / f"careapp_{language}.qm").stat().st_size > 10_000


def test_the_compiled_catalogues_are_package_data(tmp_path: Path) -> None:
    """setuptools' own copy of the package (what a wheel holds) carries the .qm files."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(tmp_path),
        ],
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
        timeout=300,
    )
    shipped = tmp_path / "careapp" / "ui" / "resources" / "translations"
    assert sorted(p.name for p in shipped.glob("*.qm")) == ["careapp_fr.qm", "careapp_nl.qm"]


# -- no text bypasses tr() --------------------------------------------------------------------

_TEXT_SETTERS = {
    "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setStatusTip", "setWhatsThis",
    "addTab", "insertTab", "setTabText", "show_error", "show_info", "setAccessibleName",
    "setAccessibleDescription", "setSuffix", "setPrefix", "setTitle", "addAction", "addMenu",
    "setHeaderLabels", "setHorizontalHeaderLabels", "addItem", "addItems", "setLabelText",
    "setInformativeText", "showMessage", "add_row",
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu",
    "QToolButton", "QMessageBox",
}  # fmt: skip
_MESSAGE_BOXES = {"information", "warning", "critical", "question"}
_NOT_WORDS = {"CareApp"}  # the product's name reads the same in every language


def _has_words(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = re.sub(r"<[^>]*>|&\w+;", "", node.value)
        return text not in _NOT_WORDS and re.search(r"[^\W\d_]", text) is not None
    if isinstance(node, ast.JoinedStr | ast.List | ast.Tuple):
        return any(_has_words(part) for part in ast.iter_child_nodes(node))
    return False


def bare_text(path: Path) -> list[str]:
    """Literal words handed to a widget without tr(): lupdate never sees them."""
    found = []
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = call.args
        if (
            name in _MESSAGE_BOXES
            and isinstance(func, ast.Attribute)
            and ast.unparse(func.value) == "QMessageBox"
        ):
            args = args[1:3]
        elif name == "addItem":
            args = args[:1]  # its second argument is the item's data (a code), not text
        elif name not in _TEXT_SETTERS:
            continue
        found += [f"{path.name}:{call.lineno}: {ast.unparse(a)}" for a in args if _has_words(a)]
    return found


def test_no_widget_is_given_words_without_tr() -> None:
    assert [line for path in ui_sources() for line in bare_text(path)] == []


def test_the_scan_catches_bare_words(tmp_path: Path) -> None:
    module = tmp_path / "dialog.py"
    module.write_text(
        'self.setWindowTitle("Discharge")\nQPushButton(f"{n} to send")\n'
        'QMessageBox.question(self, "Sure?", self.tr("Really?"))\nself.setWindowTitle(self.tr("Ok"))\n'
    )
    assert [line.split(": ", 1)[1] for line in bare_text(module)] == [
        "'Discharge'", "f'{n} to send'", "'Sure?'"
    ]  # fmt: skip


# -- the language at run time -----------------------------------------------------------------


@pytest.fixture
def language(qapp: QApplication) -> Iterator[object]:
    """Install a language for one test; English and the process's default locale afterwards."""
    before = QLocale()
    yield lambda setting, system=None: install_language(qapp, setting, system)
    install_language(qapp, "en")
    QLocale.setDefault(before)


def _shown_texts(root: QWidget) -> set[str]:
    texts = {root.windowTitle()}
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton):
            texts.add(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.add(widget.title())
        elif isinstance(widget, QLineEdit):
            texts.add(widget.placeholderText())
        elif isinstance(widget, QTabWidget):
            texts |= {widget.tabText(i) for i in range(widget.count())}
        texts.add(widget.accessibleName())
    return {t for t in texts if t}


def _english_only() -> set[str]:
    """Source texts whose Dutch and French differ from them: seeing one means tr() missed it."""
    same = {
        m.source for lang in ("nl", "fr") for m in read(catalogue_path(lang)) if m.source in m.translations
    }
    return {m.source for m in read(catalogue_path("nl"))} - same


@pytest.mark.parametrize(
    ("setting", "sign_in", "create"),
    [
        ("nl", "&Inloggen", "&Beheerdersaccount aanmaken"),
        ("fr", "Se &connecter", "Créer le compte &administrateur"),
    ],
)
def test_the_login_and_settings_show_no_english(
    language, qtbot, setting: str, sign_in: str, create: str
) -> None:
    from careapp.ui.login import LoginDialog
    from careapp.ui.settings_dialog import SettingsDialog

    language(setting)
    login = LoginDialog(BackendProfile())
    settings = SettingsDialog(Settings())
    for dialog in (login, settings):
        qtbot.addWidget(dialog)
    assert sign_in in _shown_texts(login) and create in _shown_texts(login)
    for dialog in (login, settings):
        assert _shown_texts(dialog) & _english_only() == set()
    # Qt's own buttons speak the language too, and numbers use its decimal comma.
    save = settings.buttons.button(settings.buttons.StandardButton.Save).text()
    assert save.replace("&", "") == {"nl": "Opslaan", "fr": "Enregistrer"}[setting]
    timeout = settings.hospital.timeout_seconds
    assert isinstance(timeout, QAbstractSpinBox) and timeout.text().startswith("5,0")


def test_the_main_window_shows_no_english(language, qtbot, services, admin) -> None:
    from PySide6.QtCore import QTimer

    from careapp.ui.main_window import MainWindow

    language("fr")
    window = MainWindow(services, admin, idle_timer=QTimer())
    qtbot.addWidget(window)
    window.show()
    menus = {a.text() for a in window.menuBar().actions()}
    assert menus >= {"&Service", "&Outils"}
    actions = {a.text() for a in window.actions()}
    assert "&Verrouiller le poste" in actions
    assert (_shown_texts(window) | actions | menus) & _english_only() == set()


def test_english_stays_english_and_another_language_stays_english_too(language, qtbot) -> None:
    from careapp.ui.login import LoginDialog

    for setting, system in (("en", QLocale("nl_NL")), ("", QLocale("de_DE")), ("", QLocale.c())):
        language(setting, system)
        login = LoginDialog(BackendProfile())
        qtbot.addWidget(login)
        assert "&Sign in" in _shown_texts(login)


def test_the_system_locale_chooses_unless_the_workstation_sets_a_language(language) -> None:
    assert chosen_locale("", QLocale("nl_BE")).name() == "nl_BE"
    assert chosen_locale("fr", QLocale("nl_BE")).name() == "fr_BE"  # Brussels: French, Belgian dates
    assert chosen_locale("nl", QLocale("fr_FR")).name() == "nl_NL"
    assert chosen_locale("en", QLocale("nl_NL")).name() == "en_NL"
    assert chosen_locale("de", QLocale("nl_NL")).name() == "nl_NL"  # a newer CareApp's choice
    assert chosen_locale("", QLocale.c()).name() == "C"
    assert language("", QLocale("fr_BE")).name() == "fr_BE"
    assert QLocale().name() == "fr_BE"  # the default every widget and date_text use


@pytest.mark.parametrize(
    ("locale", "shown"),
    [("nl_NL", "31-01-1983"), ("nl_BE", "31/01/1983"), ("fr_FR", "31/01/1983"), ("fr_BE", "31/01/1983"),
     ("en_US", "1/31/1983"), ("C", "1983-01-31")],
)  # fmt: skip
def test_birth_dates_by_locale_with_four_digit_years(locale: str, shown: str) -> None:
    assert date_text(date(1983, 1, 31), QLocale(locale)) == shown


def test_the_language_setting_is_saved_and_an_unknown_one_kept(qtbot, tmp_path: Path) -> None:
    from careapp.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    combo = dialog.workstation.language
    assert combo.currentData() == "" and combo.itemText(3) == "Français"
    combo.setCurrentIndex(combo.findData("fr"))
    dialog.try_accept()
    chosen = dialog.result_settings()
    assert chosen.language == "fr"
    path = tmp_path / "settings.json"
    store.save(chosen, path)
    assert store.load(path).language == "fr"
    path.write_text('{"language": "pl"}', encoding="utf-8")
    assert store.load(path).language == "pl"  # kept for the CareApp that wrote it
    reopened = SettingsDialog(store.load(path))
    qtbot.addWidget(reopened)
    assert reopened.workstation.language.currentData() == ""  # shown as "as the system"

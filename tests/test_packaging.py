"""The installers' recipes (packaging/): what the frozen bundle holds, how its executables pick
their program, and that the Windows spec and installer agree with it. The Linux build itself is
run by CI (packaging/build.sh, then packaging/check_installed.sh installs and starts it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

import bundle  # noqa: E402  (packaging/ is not a package: its specs import it the same way)


def _shipped_data() -> set[Path]:
    """Every file of the package that is not Python and not a test: what the programs read."""
    return {
        p
        for p in (ROOT / "careapp").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and bundle._shipped(p)
    }


def test_the_bundle_holds_every_page_catalogue_translation_and_migration() -> None:
    held = {Path(source) for source, _folder in bundle.datas()}
    assert _shipped_data() <= held, sorted(map(str, _shipped_data() - held))[:10]
    for folder in ("careapp/server/migrations/versions", "careapp/storage/migrations/versions"):
        versions = {p for p in (ROOT / folder).glob("*.py")}
        assert versions and versions <= held  # Alembic reads them from disk
    names = {p.name for p in held}
    assert {"careapp_nl.qm", "careapp_fr.qm", "pl.json", "activity.html", "careapp.svg"} <= names
    assert all(folder == str(Path(src).parent.relative_to(ROOT)) for src, folder in bundle.datas())
    assert not any("tests" in Path(src).parts for src, _ in bundle.datas())


def test_modules_loaded_by_name_are_collected() -> None:
    hidden = set(bundle.hiddenimports())
    assert {"uvicorn.protocols.http.h11_impl", "uvicorn.lifespan.on", "keyring.backends.fail"} <= hidden
    assert "careapp.server.app" in hidden and not any(".tests" in m for m in hidden)


@pytest.mark.parametrize(
    ("executable", "shows"),
    [("careapp-server", "CareApp regional backend"), ("careapp-hospital-sim", "--mllp-port"),
     ("careapp", "--profile"), ("careappw.exe", "--profile")],
)  # fmt: skip
def test_each_executable_runs_the_program_its_name_says(executable: str, shows: str) -> None:
    code = (
        "import sys; sys.path.insert(0, 'packaging'); import launcher; "
        f"sys.argv = ['/usr/bin/{executable}', '--help']; launcher.main()"
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shows in done.stdout, done.stderr[-2000:]


def test_the_windows_spec_and_installer_agree_with_the_bundle() -> None:
    linux = (ROOT / "packaging" / "careapp.spec").read_text()
    windows = (ROOT / "packaging" / "windows" / "careapp.spec").read_text()
    for spec in (linux, windows):
        assert "datas=datas()" in spec and "hiddenimports()" in spec and "[str(LAUNCHER)]" in spec
    assert "for name, console in PROGRAMS" in windows  # no links on Windows: one .exe per program
    assert 'COLLECT(*programs, analysis.binaries, analysis.datas, name="careapp"' in windows
    assert 'COLLECT(program, analysis.binaries, analysis.datas, name="careapp"' in linux
    assert (ROOT / "resources" / "icons" / "careapp.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    inno = (ROOT / "packaging" / "windows" / "careapp.iss").read_text()
    assert re.search(r'Source: "\.\.\\\.\.\\dist\\careapp\\\*".*recursesubdirs', inno)
    shortcut = re.findall(r'Filename: "\{app\}\\([\w-]+\.exe)"', inno)
    gui = [name for name, console in bundle.PROGRAMS if not console]
    assert set(shortcut) == {f"{gui[0]}.exe"}  # the Start menu opens the GUI without a console
    assert "ChangesEnvironment=yes" in inno and "Session Manager\\Environment" in inno


def test_the_debian_package_puts_the_programs_on_the_path() -> None:
    script = (ROOT / "packaging" / "build.sh").read_text()
    on_path = {name for name, _console in bundle.PROGRAMS if name != "careappw"}
    assert f"for program in {' '.join(sorted(on_path, key=len))}" in script or all(
        n in script for n in on_path
    )
    assert "/opt/careapp" in script and "dpkg-deb --root-owner-group -Zgzip --build" in script
    link_loop = r'for program in ([\w -]+); do\n  ln -s careapp "\$build/dist/careapp/\$program"'
    links = re.search(link_loop, script)
    assert links and set(links.group(1).split()) == on_path - {"careapp"}
    assert "usr/share/applications" in script and "hicolor/scalable/apps/careapp.svg" in script


def test_check_start_prints_ready_once_the_login_window_takes_input(tmp_path: Path) -> None:
    # What packaging/check_installed.sh runs against the installed package, here from the checkout.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "careapp", "--profile", str(tmp_path / "p"), "--check-start"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0] == "ready"
    assert list((tmp_path / "p" / "caches").glob("*.sqlite3"))  # it quit once the cache had opened


def test_the_readmes_package_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Installing from a package", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(\S.*?)\s+#", section.split("```sh", 1)[1].split("```", 1)[0], re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    check = (ROOT / "packaging" / "check_installed.sh").read_text()
    build, install, start, remove = commands
    assert build.removeprefix("bash ") in ci  # .ci/run builds with the test environment's Python
    assert install.replace("dpkg -i build/careapp_0.1.0_amd64.deb", 'dpkg -i "$deb"') in check
    assert "QT_QPA_PLATFORM=offscreen careapp --profile" in check and start.endswith("--check-start")
    assert remove in check


def test_both_specs_stop_when_a_qt_platform_plugin_is_not_collected() -> None:
    from PySide6.QtCore import QLibraryInfo

    platforms = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    binaries = [(f"PySide6/Qt/plugins/platforms/{p.name}", str(p), "BINARY") for p in platforms.iterdir()]
    assert bundle.missing_qt_plugins(binaries, "linux") == []  # what this PySide6's hook collects
    without_xcb = [entry for entry in binaries if "qxcb" not in entry[0]]
    assert bundle.missing_qt_plugins(without_xcb, "linux") == ["xcb"]
    windows = [("PySide6/plugins/platforms/qwindows.dll", "", "BINARY")]
    assert bundle.missing_qt_plugins(windows, "win32") == ["offscreen"]
    for spec, platform in (("careapp.spec", "linux"), ("windows/careapp.spec", "win32")):
        text = (ROOT / "packaging" / spec).read_text()
        assert f'bundle.missing_qt_plugins(analysis.binaries, "{platform}")' in text
        assert text.index("missing_qt_plugins") < text.index("PYZ(")  # before anything is built

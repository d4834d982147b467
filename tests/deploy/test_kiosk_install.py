"""The kiosk install script: its dry run prints every step of a real install and changes nothing; it
refuses the virtual card reader; its pinned package list is complete, exact and free of test tools; the UI
tests' remote control (screens/driver.py) is neither in a release nor possible to start on a kiosk."""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from kiosk.version import app_version
from tests.support.server_proc import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "kiosk" / "install.sh"
KIOSK_REQUIREMENTS = REPO_ROOT / "deploy" / "kiosk" / "requirements-kiosk.txt"
# Paths a real install creates: the dry run must leave each exactly as it was.
TOUCHED = ("/opt/saga-kiosk", "/etc/saga-kiosk", "/var/lib/saga-kiosk", "/etc/systemd/system/saga-kiosk.service",
           "/etc/systemd/system/saga-kiosk-x.service",
           "/etc/X11/xorg.conf.d/10-saga-kiosk.conf", "/etc/X11/Xwrapper.config", "/etc/reader.conf.d/vpcd")
NEVER_ON_A_KIOSK = ("postgresql", "vsmartcard-vpcd", "xvfb", "chromium", "pytest", "faketime", "hypothesis",
                    "schemathesis", "selenium", "ruff")


def _system_state() -> dict[str, object]:
    state: dict[str, object] = {p: Path(p).exists() and Path(p).stat().st_mtime for p in TOUCHED}
    state["user"] = subprocess.run(["getent", "passwd", "kiosk"], capture_output=True, text=True).stdout
    state["vpcd"] = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "vsmartcard-vpcd"], capture_output=True,
                                   text=True).stdout
    return state


def _dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), "--dry-run", *args], capture_output=True, text=True, timeout=120)


def _installed(package: str) -> bool:
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True).stdout
    return "install ok installed" in status


def test_dry_run_prints_every_step_and_changes_nothing(tmp_path: Path) -> None:
    before = _system_state()
    # scripts/bootstrap.sh puts the virtual reader on development machines like this one: refused.
    assert _installed("vsmartcard-vpcd")
    refused = _dry_run("--source", str(REPO_ROOT))
    assert refused.returncode == 1 and "vsmartcard-vpcd" in refused.stderr and "--remove-vpcd" in refused.stderr

    done = _dry_run("--source", str(REPO_ROOT), "--remove-vpcd")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    steps = [line[2:] for line in out.splitlines() if line.startswith("+ ")]
    target = f"/opt/saga-kiosk/releases/{app_version()}"
    assert "apt-get purge -y vsmartcard-vpcd" in steps and "rm -f /etc/reader.conf.d/vpcd" in steps
    assert any(s.startswith("useradd --system") and s.endswith(" kiosk") for s in steps) or "kiosk:" in str(
        before["user"])
    assert f"python3 -m venv {target}/venv" in steps
    assert f"{target}/venv/bin/pip install --no-deps -r {target}/deploy/kiosk/requirements-kiosk.txt" in steps
    assert f"ln -sfn {target} /opt/saga-kiosk/current.new" in steps
    assert "mv -T /opt/saga-kiosk/current.new /opt/saga-kiosk/current" in steps
    assert "systemctl enable pcscd.socket saga-kiosk.service" in steps
    x_unit = "saga-kiosk-x.service"
    assert f"install -m 0644 {target}/deploy/kiosk/{x_unit} /etc/systemd/system/{x_unit}" in steps
    assert "systemctl restart saga-kiosk.service" in steps
    # The voice prompts are made at install, as the kiosk user, with the production settings.
    warm = (f"runuser -u kiosk -- env KIOSK_CONFIG=/etc/saga-kiosk/kiosk.toml {target}/venv/bin/python"
            " -m kiosk.a11y.speech")
    assert warm in steps and steps.index(warm) < steps.index("systemctl restart saga-kiosk.service")
    copied = {s.split()[-1].removeprefix(target + "/") for s in steps if s.startswith("cp -a ")}
    assert copied == {"kiosk", "screens", "protocol", "assets", "main.py", "pyproject.toml", "config/kiosk.toml",
                      "deploy/kiosk", "deploy/lib.sh"}  # no virtualcard/, no tests/, no server/
    # Lockdown files, written in full in the dry run's output.
    assert 'Option "DontVTSwitch" "true"' in out and 'Option "DontZap" "true"' in out
    assert 'Option "BlankTime" "0"' in out
    # Whatever apt-get would install: the kiosk's needs, never a database, a virtual reader or test tools.
    installs = " ".join(s for s in steps if "apt-get install" in s)
    for package in NEVER_ON_A_KIOSK:
        assert not re.search(rf"(^|\s){re.escape(package)}(\s|$)", installs), package
    assert _system_state() == before


def test_a_release_tarball_of_a_commit_installs_side_by_side(tmp_path: Path) -> None:
    tarball = tmp_path / "saga-kiosk.tar.gz"
    subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix=saga-kiosk-{app_version()}/", "-o",
                    str(tarball), "HEAD"], cwd=REPO_ROOT, check=True, timeout=60)
    with tarfile.open(tarball) as archive:
        assert f"saga-kiosk-{app_version()}/deploy/kiosk/install.sh" in archive.getnames()
    done = _dry_run("--release", str(tarball), "--remove-vpcd", "--wheelhouse", str(tmp_path / "wheels"))
    assert done.returncode == 0, done.stderr
    assert f"into /opt/saga-kiosk/releases/{app_version()}" in done.stdout
    assert f"--no-index --find-links {tmp_path / 'wheels'} --no-deps" in done.stdout
    assert "gcc" not in done.stdout  # a wheelhouse means no compiler on the kiosk


def _install_as_dry_run_says(release: Path, *args: str) -> None:
    """Carry out the dry run's copy, remove and mark steps of the release into `release`."""
    done = _dry_run(*args)
    assert done.returncode == 0, done.stderr
    target = f"/opt/saga-kiosk/releases/{app_version()}"

    def here(path: str) -> Path:
        return release / Path(path).relative_to(target)

    for step in (line[2:].split() for line in done.stdout.splitlines() if line.startswith("+ ")):
        if step[:2] == ["cp", "-a"]:
            source, part = Path(step[2]), here(step[3])
            part.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if source.is_dir() else shutil.copy)(source, part)
        elif step[:2] == ["rm", "-rf"] and all(path.startswith(target + "/") for path in step[2:]):
            for path in map(here, step[2:]):
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        elif step[0] == "touch" and step[1].startswith(target + "/"):
            here(step[1]).touch()


def _start_with_driver(release: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_TEST_DRIVER_PORT": "48999", "KIVY_NO_ARGS": "1"}
    return subprocess.run([sys.executable, "main.py"], cwd=release, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_test_driver_is_not_installed_and_cannot_be_started_on_a_kiosk(tmp_path: Path) -> None:
    # The release tarball leaves it out (.gitattributes export-ignore).
    tarball = tmp_path / "saga-kiosk.tar.gz"
    prefix = f"saga-kiosk-{app_version()}"
    subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix={prefix}/", "-o", str(tarball), "HEAD"],
                   cwd=REPO_ROOT, check=True, timeout=60)
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert f"{prefix}/screens/app.py" in names and f"{prefix}/screens/driver.py" not in names

    # An install from a development checkout (which has it) leaves it out of the release too.
    assert (REPO_ROOT / "screens" / "driver.py").is_file()
    release = tmp_path / "release"
    _install_as_dry_run_says(release, "--source", str(REPO_ROOT), "--remove-vpcd")
    assert (release / "screens" / "app.py").is_file() and (release / ".installed").is_file()
    assert not (release / "screens" / "driver.py").exists()
    assert not list(release.rglob("driver*.pyc"))

    # The variable that starts it is refused at once, in one line, before any window opens.
    refused = _start_with_driver(release)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.splitlines() == [
        "kiosk: KIOSK_TEST_DRIVER_PORT is set, but this is an installed kiosk: the UI test driver is not part of "
        "a release (unset it)"]
    # Put back by hand, it is still refused: the release is marked installed.
    shutil.copy(REPO_ROOT / "screens" / "driver.py", release / "screens" / "driver.py")
    again = _start_with_driver(release)
    assert again.returncode == 2 and "KIOSK_TEST_DRIVER_PORT" in again.stderr and len(again.stderr.splitlines()) == 1


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@pytest.mark.parametrize(("pinned", "foreign"), [
    (KIOSK_REQUIREMENTS, ("fastapi", "sqlalchemy", "psycopg", "uvicorn", "alembic")),
    (REPO_ROOT / "deploy" / "server" / "requirements-server.txt", ("kivy", "pyscard", "python-escpos")),
])
def test_deploy_requirements_are_exact_complete_and_without_test_tools(pinned: Path, foreign: tuple[str, ...]) -> None:
    kiosk, everything = _pins(pinned), _pins(REPO_ROOT / "requirements.txt")
    assert all(everything.get(name) == version for name, version in kiosk.items())
    for tool in ("pytest", "hypothesis", "schemathesis", "selenium", "ruff", "matplotlib", "zxing-cpp", *foreign):
        assert tool not in kiosk
    # Complete: every dependency of every listed package (by its installed metadata) is listed too.
    for name in kiosk:
        for requirement in metadata.distribution(name).requires or []:
            dep, _, marker = requirement.partition(";")
            if "extra ==" in marker or "win32" in marker or "Windows" in marker or "darwin" in marker:
                continue
            if "python_version <" in marker:
                continue
            dep_name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", dep.strip()).group(0)).lower()
            assert dep_name in kiosk or dep_name == "setuptools", f"{name} needs {dep_name}"
    assert shutil.which("bash")


def test_rollback_switches_the_link_back_and_restarts() -> None:
    before = _system_state()
    done = _dry_run("--rollback", "0.0.9")
    assert done.returncode == 0, done.stderr
    steps = [line[2:] for line in done.stdout.splitlines() if line.startswith("+ ")]
    assert steps == ["ln -sfn /opt/saga-kiosk/releases/0.0.9 /opt/saga-kiosk/current.new",
                     "mv -T /opt/saga-kiosk/current.new /opt/saga-kiosk/current",
                     "systemctl restart saga-kiosk.service"]
    assert _system_state() == before


def test_production_settings_write_only_under_the_data_directory() -> None:
    """The release is read-only to the kiosk user: every directory or file the kiosk writes lies under
    /var/lib/saga-kiosk in the production settings (a relative path would land in the release)."""
    from kiosk import config

    settings = config.load(REPO_ROOT / "deploy" / "kiosk" / "kiosk.toml", environ={}, enrolled=False)
    written = {
        "printer.directory": settings.printer.directory,
        "maintenance.data_dir": settings.maintenance.data_dir,
        "maintenance.staff_cache_path": settings.maintenance.staff_cache_path,
        "outbox.path": settings.outbox.path,
        "accessibility.sounds_dir": settings.accessibility.sounds_dir,
        "accessibility.voice_cache_dir": settings.accessibility.voice_cache_dir,
    }
    for name, value in written.items():
        assert Path(value).is_relative_to("/var/lib/saga-kiosk"), (name, value)


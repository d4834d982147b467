"""The server install script: its dry run prints every step of a first install and of an upgrade (backup
before the switch, migrations before the restart) and changes nothing; the release it copies runs on its
own (migrate, retention) without the kiosk, the virtual card or the tests; rollback switches the link back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from kiosk.version import app_version
from tests.support.server_proc import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "server" / "install.sh"
TOUCHED = ("/opt/saga-server", "/etc/saga-server", "/var/lib/saga-server", "/var/backups/saga",
           "/etc/nginx/sites-available/saga", "/etc/nginx/sites-enabled/saga",
           "/etc/systemd/system/saga-server@.service", "/etc/systemd/system/saga-backup.timer")
NEVER_ON_THE_SERVER = ("vsmartcard-vpcd", "pcscd", "xvfb", "chromium", "faketime", "xserver-xorg-core")
RELEASE_PARTS = {"server", "protocol", "pyproject.toml", "config/server.toml", "deploy/server", "deploy/lib.sh",
                 "docs"}
UNITS = ["saga-server@8701.service", "saga-server@8702.service"]
NAMES = ("--kiosk-host", "kiosk-api.lib.example", "--queue-host", "queue.lib.example",
         "--staff-host", "staff.lib.example")


def _system_state() -> dict[str, object]:
    state: dict[str, object] = {p: Path(p).exists() and Path(p).stat().st_mtime for p in TOUCHED}
    state["user"] = subprocess.run(["getent", "passwd", "saga"], capture_output=True, text=True).stdout
    return state


def _dry_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), "--dry-run", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def _steps(out: str) -> list[str]:
    return [line[2:] for line in out.splitlines() if line.startswith("+ ")]


def _index(steps: list[str], wanted: str) -> int:
    return next(i for i, step in enumerate(steps) if step == wanted)


def test_first_install_dry_run_prints_every_step_and_changes_nothing() -> None:
    before = _system_state()
    refused = _dry_run("--source", str(REPO_ROOT))
    assert refused.returncode == 1 and "--kiosk-host" in refused.stderr and "--staff-host" in refused.stderr

    done = _dry_run("--source", str(REPO_ROOT), *NAMES,
                    "--tls-cert", "/etc/ssl/lib/full.pem", "--tls-key", "/etc/ssl/lib/key.pem")
    assert done.returncode == 0, done.stderr
    out, steps = done.stdout, _steps(done.stdout)
    target = f"/opt/saga-server/releases/{app_version()}"
    assert "useradd --system --create-home --home-dir /var/lib/saga-server --shell /usr/sbin/nologin saga" in steps \
        or "saga:" in str(before["user"])
    assert "install -d -m 0700 -o saga -g saga /var/backups/saga" in steps
    assert "install -d -m 0750 -o root -g saga /etc/saga-server" in steps
    assert "systemctl enable --now postgresql.service" in steps
    # The role and database (each only if missing: peer authentication, no password).
    assert "runuser -u postgres -- createdb -O saga saga" in steps or "createdb" not in out
    copied = {s.split()[-1].removeprefix(target + "/") for s in steps if s.startswith("cp -a ")}
    assert copied == RELEASE_PARTS  # no kiosk/, screens/, virtualcard/ (test CA keys), tests/
    assert f"python3 -m venv {target}/venv" in steps
    assert f"{target}/venv/bin/pip install --no-deps -r {target}/deploy/server/requirements-server.txt" in steps
    assert _index(steps, f"chown -R root:root {target}") < _index(steps, f"touch {target}/.installed")
    # Settings from the release, kept outside it; the example env is installed once, and the API waits for it.
    assert f"install -m 0640 -o root -g saga {target}/config/server.toml /etc/saga-server/server.toml" in steps
    assert "first install: edit /etc/saga-server/server.env" in out
    assert not any(s.startswith("systemctl restart saga-server@") for s in steps)
    assert "systemctl start saga-backup.service" not in steps  # nothing to back up yet
    for unit in ("saga-server@.service", "saga-server-migrate.service", "saga-backup.timer", "saga-retention.timer"):
        assert f"install -m 0644 {target}/deploy/server/{unit} /etc/systemd/system/{unit}" in steps
    assert _index(steps, "mv -T /opt/saga-server/current.new /opt/saga-server/current") < _index(
        steps, "systemctl start saga-server-migrate.service")
    assert f"systemctl enable {' '.join(UNITS)} saga-backup.timer saga-retention.timer" in steps
    # nginx: the site with these names, certificate, and one upstream line per instance.
    assert "write /etc/nginx/sites-available/saga (mode 0644, owner root:root)" in steps
    assert " server_name kiosk-api.lib.example queue.lib.example staff.lib.example;" in out  # the redirect
    for name in ("kiosk-api.lib.example", "queue.lib.example", "staff.lib.example"):
        assert out.count(f" server_name {name};") == 1
    assert ".library.pref.saga.example" not in out
    # The staff host's default allow-list: the private ranges, with a note to narrow it.
    assert re.findall(r"\|\s+(allow \S+;|deny all;)", out) == [
        "allow 10.0.0.0/8;", "allow 172.16.0.0/12;", "allow 192.168.0.0/16;", "allow fc00::/7;", "deny all;"]
    assert "patron Wi-Fi" in out
    assert "SERVER_PUBLIC_BASE_URL=https://queue.lib.example" in out
    assert " ssl_certificate     /etc/ssl/lib/full.pem;" in out and " ssl_certificate_key /etc/ssl/lib/key.pem;" in out
    assert re.findall(r"\|\s+server 127\.0\.0\.1:(\d+) ", out) == ["8701", "8702"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in out
    assert _index(steps, "nginx -t") < _index(steps, "systemctl reload-or-restart nginx.service")
    installs = " ".join(s for s in steps if "apt-get install" in s)
    for package in NEVER_ON_THE_SERVER:
        assert not re.search(rf"(^|\s){re.escape(package)}(\s|$)", installs), package
    assert _system_state() == before


def test_the_staff_allow_list_and_names_come_from_options_or_the_environment(tmp_path: Path) -> None:
    env = {"SAGA_SERVER_PREFIX": str(tmp_path / "opt"), "SAGA_SERVER_ETC": str(tmp_path / "etc"),
           "SAGA_SERVER_NGINX_SITE": str(tmp_path / "site")}
    done = _dry_run("--source", str(REPO_ROOT), *NAMES, "--staff-allow", "10.20.0.0/16 192.0.2.7 fd12:3456::/48",
                    env=env)
    assert done.returncode == 0, done.stderr
    assert re.findall(r"\|\s+(allow \S+;|deny all;)", done.stdout) == [
        "allow 10.20.0.0/16;", "allow 192.0.2.7;", "allow fd12:3456::/48;", "deny all;"]
    assert "patron Wi-Fi" not in done.stdout
    from_env = _dry_run("--source", str(REPO_ROOT), env={
        **env, "SAGA_SERVER_KIOSK_HOST": "kiosk-api.lib.example", "SAGA_SERVER_QUEUE_HOST": "queue.lib.example",
        "SAGA_SERVER_STAFF_HOST": "staff.lib.example",
        "SAGA_SERVER_STAFF_ALLOW": "10.20.0.0/16 192.0.2.7 fd12:3456::/48"})
    assert from_env.returncode == 0, from_env.stderr
    assert from_env.stdout == done.stdout


@pytest.mark.parametrize(("args", "says"), [
    (("--server-name", "kiosk-api.lib.example queue.lib.example"), "--kiosk-host, --queue-host and --staff-host"),
    (NAMES[:4], "all three names"),
    (("--kiosk-host", "a.lib.example", "--queue-host", "a.lib.example", "--staff-host", "s.lib.example"),
     "three different names"),
    ((*NAMES[:4], "--staff-host", "staff.lib.example;"), "not a host name"),
    ((*NAMES, "--staff-allow", "10.0.0.0/8; allow all"), "not '10.0.0.0/8;'"),
    ((*NAMES, "--staff-allow", "all"), "not 'all'"),
])
def test_bad_site_options_stop_before_anything_changes(args: tuple[str, ...], says: str, tmp_path: Path) -> None:
    before = _system_state()
    refused = _dry_run("--source", str(REPO_ROOT), *args, env={"SAGA_SERVER_NGINX_SITE": str(tmp_path / "site")})
    assert refused.returncode != 0 and says in refused.stderr, refused.stderr
    assert "+ " not in refused.stdout and _system_state() == before


def test_an_allow_list_alone_needs_the_names_to_rewrite_the_site(tmp_path: Path) -> None:
    site = tmp_path / "nginx-saga"
    site.write_text("# the library's edited site\n")
    refused = _dry_run("--source", str(REPO_ROOT), "--staff-allow", "10.20.0.0/16",
                       env={"SAGA_SERVER_NGINX_SITE": str(site)})
    assert refused.returncode == 1 and "all three names" in refused.stderr


def test_upgrade_backs_up_before_the_switch_and_migrates_before_the_restart(tmp_path: Path) -> None:
    before = _system_state()
    prefix, etc = tmp_path / "opt", tmp_path / "etc"
    (prefix / "releases" / "0.0.9").mkdir(parents=True)
    (prefix / "releases" / "0.0.9" / ".installed").touch()
    (prefix / "current").symlink_to(prefix / "releases" / "0.0.9")
    etc.mkdir()
    (etc / "server.env").write_text("SERVER_DEMO=false\n")
    (etc / "server.toml").write_text("")
    site = tmp_path / "nginx-saga"
    site.write_text("# the library's edited site\n")
    tarball = tmp_path / "saga.tar.gz"
    subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix=saga-{app_version()}/", "-o", str(tarball),
                    "HEAD"], cwd=REPO_ROOT, check=True, timeout=60)
    with tarfile.open(tarball) as archive:
        assert f"saga-{app_version()}/deploy/server/install.sh" in archive.getnames()
    done = _dry_run("--release", str(tarball), env={"SAGA_SERVER_PREFIX": str(prefix), "SAGA_SERVER_ETC": str(etc),
                                                     "SAGA_SERVER_NGINX_SITE": str(site)})
    assert done.returncode == 0, done.stderr
    steps = _steps(done.stdout)
    backup = _index(steps, "systemctl start saga-backup.service")
    switch = _index(steps, f"mv -T {prefix}/current.new {prefix}/current")
    migrate = _index(steps, "systemctl start saga-server-migrate.service")
    restart = _index(steps, f"systemctl restart {' '.join(UNITS)}")
    assert backup < switch < migrate < restart
    # The library's settings and its nginx site stay as they are.
    assert not any(str(etc) in s and s.startswith("install -m") for s in steps)
    assert not any("write " in s for s in steps) and "nginx -t" in steps
    assert site.read_text() == "# the library's edited site\n" and _system_state() == before


def test_the_copied_release_runs_on_its_own(tmp_path: Path) -> None:
    """The parts the script copies are enough for the server: migrate and retention run from them alone."""
    release = tmp_path / "release"
    for part in RELEASE_PARTS:
        source, target = REPO_ROOT / part, release / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SERVER_")}
    env.update(SERVER_CONFIG_FILE=str(release / "config" / "server.toml"),
               SERVER_DATABASE_URL=f"sqlite:///{tmp_path / 'server.db'}", PYTHONPATH="")
    python = str(REPO_ROOT / ".venv" / "bin" / "python")
    outputs = []
    for command in (["-m", "server", "migrate"], ["-m", "server", "admin", "retention"],
                    ["-c", "import server.app, server.ops.backup_copy; print(server.__file__)"]):
        done = subprocess.run([python, *command], cwd=release, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert "retention applied" in outputs[1] and outputs[2].startswith(str(release / "server"))


def test_rollback_switches_the_link_back_and_restarts() -> None:
    before = _system_state()
    done = _dry_run("--rollback", "0.0.9", "--instances", "8701 8702 8703")
    assert done.returncode == 0, done.stderr
    assert _steps(done.stdout) == ["ln -sfn /opt/saga-server/releases/0.0.9 /opt/saga-server/current.new",
                                   "mv -T /opt/saga-server/current.new /opt/saga-server/current",
                                   "systemctl restart saga-server@8701.service saga-server@8702.service "
                                   "saga-server@8703.service"]
    assert _system_state() == before


@pytest.mark.parametrize("instances", ["8701 http", "87o1"])
def test_instances_must_be_ports(instances: str) -> None:
    done = _dry_run("--rollback", "0.0.9", "--instances", instances)
    assert done.returncode == 2 and "port numbers" in done.stderr

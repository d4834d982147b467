"""Both install scripts source deploy/lib.sh: they run from any directory, taken out of a release tarball
with their lib as docs/operations.md shows, and from an installed release (whose copy must hold the lib
too, for the next rollback); without the lib they stop at once and say what is missing."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from kiosk.version import app_version
from tests.support.server_proc import REPO_ROOT

SCRIPTS = ("deploy/kiosk/install.sh", "deploy/server/install.sh")
PREFIXES = {"deploy/kiosk/install.sh": "/opt/saga-kiosk", "deploy/server/install.sh": "/opt/saga-server"}
UNITS = {"deploy/kiosk/install.sh": "saga-kiosk.service",
         "deploy/server/install.sh": "saga-server@8701.service saga-server@8702.service"}
# What each needs beside --dry-run for a whole install on this machine (it has the virtual reader).
INSTALL_ARGS = {"deploy/kiosk/install.sh": ["--remove-vpcd"],
                "deploy/server/install.sh": ["--kiosk-host", "a.example", "--queue-host", "q.example",
                                             "--staff-host", "s.example"]}


def run(script: Path | str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), "--dry-run", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def steps(out: str) -> list[str]:
    return [line[2:] for line in out.splitlines() if line.startswith("+ ")]


def rollback_steps(script: str) -> list[str]:
    prefix = PREFIXES[script]
    return [f"ln -sfn {prefix}/releases/0.0.9 {prefix}/current.new", f"mv -T {prefix}/current.new {prefix}/current",
            f"systemctl restart {UNITS[script]}"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_script_runs_from_any_directory(script: str, tmp_path: Path) -> None:
    path = REPO_ROOT / script
    from_root = run(script, *INSTALL_ARGS[script], cwd=REPO_ROOT)
    assert from_root.returncode == 0, from_root.stderr
    for cwd, invoked in ((path.parent, path.name), (tmp_path, path), (Path("/"), path)):
        done = run(invoked, *INSTALL_ARGS[script], cwd=cwd)
        assert done.returncode == 0, done.stderr
        # The same install: the source tree is the script's own, wherever it was started.
        assert done.stdout == from_root.stdout and f"from {REPO_ROOT} into" in done.stdout
    assert steps(run(path.name, "--rollback", "0.0.9", cwd=path.parent).stdout) == rollback_steps(script)


@pytest.mark.parametrize("script", SCRIPTS)
def test_taken_out_of_the_tarball_with_its_lib_it_installs_the_release(script: str, tmp_path: Path) -> None:
    tarball = tmp_path / "saga.tar.gz"
    prefix = f"saga-{app_version()}"
    subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix={prefix}/", "-o", str(tarball), "HEAD"],
                   cwd=REPO_ROOT, check=True, timeout=60)
    alone, with_lib = tmp_path / "alone", tmp_path / "with-lib"
    with tarfile.open(tarball) as archive:
        archive.extractall(alone, members=[archive.getmember(f"{prefix}/{script}")], filter="data")
        archive.extractall(with_lib, members=[archive.getmember(f"{prefix}/{script}"),
                                              archive.getmember(f"{prefix}/deploy/lib.sh")], filter="data")
    done = run(with_lib / prefix / script, "--release", str(tarball), *INSTALL_ARGS[script], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    target = f"{PREFIXES[script]}/releases/{app_version()}"
    assert f"# done: {PREFIXES[script]}/current -> {target}" in done.stdout
    missing = run(alone / prefix / script, "--release", str(tarball), cwd=tmp_path)
    assert missing.returncode == 1 and "lib.sh is missing" in missing.stderr and not missing.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_an_installed_release_holds_what_its_script_needs(script: str, tmp_path: Path) -> None:
    """The parts the dry run copies into a release, copied the same way: its own install.sh rolls back."""
    done = run(script, *INSTALL_ARGS[script], cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    release = tmp_path / "release"
    for step in steps(done.stdout):
        if step.startswith("cp -a "):
            source, destination = Path(step.split()[2]), step.split()[3]
            part = release / Path(destination).relative_to(f"{PREFIXES[script]}/releases/{app_version()}")
            part.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if source.is_dir() else shutil.copy)(source, part)
    rollback = run(release / script, "--rollback", "0.0.9", cwd=tmp_path)
    assert rollback.returncode == 0, rollback.stderr
    assert steps(rollback.stdout) == rollback_steps(script)

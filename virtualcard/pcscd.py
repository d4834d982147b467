"""A private pcscd with the vpcd virtual reader on a free port.

pcscd always binds /run/pcscd/pcscd.comm (it ignores PCSCLITE_CSOCK_NAME, which
only the client library reads). As root we give it a private mount namespace
with a temporary directory bound over /run, so its socket lands in our
directory and a system pcscd is neither used nor disturbed. Clients (pyscard)
must have PCSCLITE_CSOCK_NAME=<socket_path> in their environment before their
first PC/SC call: libpcsclite reads it once.

Without root there is no private namespace: `PrivatePcscd.start()` then runs
pcscd on the default socket only if no pcscd runs there (that still needs write
access to /run/pcscd, i.e. usually sudo), and otherwise raises with a hint.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
DEFAULT_SOCKET = Path("/run/pcscd/pcscd.comm")
READER_NAME = "Virtual PCD 00 00"  # the reader on the first of vpcd's two ports
_PR_SET_PDEATHSIG = 1


class PcscdError(RuntimeError):
    """pcscd could not be started as asked."""


def free_port_pair() -> int:
    """A TCP port P such that P and P+1 are free (vpcd listens on both)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("", port))
                b.bind(("", port + 1))
            return port
        except OSError:
            continue
    raise PcscdError("no free pair of TCP ports")


def _die_with_parent() -> None:
    # If the test run is killed, pcscd gets SIGTERM instead of lingering as an orphan.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class PrivatePcscd:
    """One pcscd process with a vpcd reader; `socket_path` is what PCSCLITE_CSOCK_NAME must say."""

    def __init__(self, port: int | None = None, *, apdu_log: bool = False, workdir: Path | None = None) -> None:
        self.port = port or free_port_pair()
        self.apdu_log = apdu_log
        self._own_workdir = workdir is None
        # Named now (clients need the socket path before pcscd runs) but created only by start(),
        # so a daemon that is reserved and never started leaves nothing behind.
        self.workdir = workdir or Path(tempfile.gettempdir()) / f"pcscd-{secrets.token_hex(6)}"
        self.log_path = self.workdir / "pcscd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.socket_path = self.workdir / "run" / "pcscd" / "pcscd.comm"

    @property
    def env(self) -> dict[str, str]:
        """Environment entries a pyscard client needs to reach this pcscd."""
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def _write_config(self) -> Path:
        conf = self.workdir / "reader.conf.d"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:{self.port}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    {self.port}\n"
        )
        return conf

    def start(self, timeout: float = 5.0) -> PrivatePcscd:
        """Start pcscd in the foreground (-f) and wait for its socket."""
        if not VPCD_DRIVER.exists():
            raise PcscdError(f"{VPCD_DRIVER} missing: install vsmartcard-vpcd (scripts/bootstrap.sh does)")
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        self.workdir.mkdir(mode=0o700, parents=True, exist_ok=not self._own_workdir)
        conf = self._write_config()
        flags = ["-f"] + (["-a"] if self.apdu_log else [])
        if os.geteuid() == 0:
            run = self.workdir / "run"
            run.mkdir(exist_ok=True)
            script = (
                "mount --make-rprivate / && "
                f"mount --bind '{run}' /run && "
                f"exec '{pcscd}' {' '.join(flags)} -c '{conf}'"
            )
            argv = ["unshare", "-m", "sh", "-c", script]
        else:
            if DEFAULT_SOCKET.exists():
                raise PcscdError(
                    "a private pcscd needs root (a private mount namespace); run the tests with sudo, "
                    "or stop the system pcscd so one can start on the default socket"
                )
            self.socket_path = DEFAULT_SOCKET
            argv = [pcscd, *flags, "-c", str(conf)]
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                argv, stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
        deadline = time.monotonic() + timeout
        while not self.socket_path.exists():
            if self.process.poll() is not None:
                raise PcscdError(f"pcscd exited with {self.process.returncode}: {self.log_text()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise PcscdError("pcscd did not create its socket in time")
            time.sleep(0.01)
        return self

    def log_text(self) -> str:
        """pcscd's own output so far (with -a: every APDU, PINs included: tests only)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM pcscd, wait for it, and remove the temporary directory we made."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> PrivatePcscd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

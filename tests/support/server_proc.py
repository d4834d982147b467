"""Start the real server (`python -m server serve`) in a subprocess on a free port.

The process gets its database URL and settings through SERVER_* environment variables,
seeds the demo data set (--demo) with a per-run kiosk secret, staff PIN and the staff member's maintenance
PIN at the demo kiosk (never equal to the staff PIN), and is
stopped with SIGTERM. Tests sign requests with the credentials exposed here.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServerProcess:
    """A running server and the demo credentials it seeded."""

    base_url: str
    kiosk_id: str
    kiosk_secret: str
    staff_id: str
    staff_pin: str
    database_url: str
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    # The demo staff account's PIN for the demo kiosk's maintenance mode (what that kiosk caches).
    maintenance_pin: str = ""

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, then wait; kill if it hangs. Returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log_path.unlink(missing_ok=True)
        return self.process.returncode


def start_server(*, database_url: str, settings: dict[str, str] | None = None, timeout: float = 60) -> ServerProcess:
    """Start `python -m server serve --demo` on a socket bound here, and wait until /health answers."""
    # Bound and listening before the child starts: no other process can take the port meanwhile.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    kiosk_secret = "test-kiosk-" + secrets.token_hex(16)
    staff_pin = "".join(secrets.choice("0123456789") for _ in range(6))
    maintenance_pin = staff_pin
    while maintenance_pin == staff_pin:
        maintenance_pin = "".join(secrets.choice("0123456789") for _ in range(6))
    env = dict(os.environ)
    env.update(
        {
            "SERVER_HOST": "127.0.0.1",
            "SERVER_PORT": str(port),
            "SERVER_LISTEN_FD": str(listener.fileno()),
            "SERVER_DATABASE_URL": database_url,
            "SERVER_DEMO_KIOSK_SECRET": kiosk_secret,
            "SERVER_DEMO_STAFF_PIN": staff_pin,
            "SERVER_DEMO_MAINTENANCE_PIN": maintenance_pin,
            "SERVER_LOG_LEVEL": "warning",
            **(settings or {}),
        }
    )
    log_file = tempfile.NamedTemporaryFile(prefix="saga-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--demo"],
        cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),),
    )
    listener.close()  # the child holds its own copy
    log_file.close()  # the child has its own descriptor
    server = ServerProcess(
        base_url=f"http://127.0.0.1:{port}",
        kiosk_id=env.get("SERVER_DEMO_KIOSK_ID", "kiosk-demo-01"),
        kiosk_secret=kiosk_secret,
        staff_id=env.get("SERVER_DEMO_STAFF_ID", "demo-admin"),
        staff_pin=staff_pin,
        database_url=database_url,
        process=process,
        log_path=Path(log_file.name),
        env=env,
        maintenance_pin=maintenance_pin,
    )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            log = server.log()
            server.stop()
            raise RuntimeError(f"server exited with {process.returncode}:\n{log}")
        try:
            if requests.get(server.base_url + "/health", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass  # listening already (the socket is ours), but the app is still starting
        if time.monotonic() > deadline:
            log = server.log()
            server.stop()
            raise RuntimeError(f"server did not answer /health within {timeout}s:\n{log}")
        time.sleep(0.1)

"""More kiosks for a running test server, enrolled the way an installer enrolls one."""

from __future__ import annotations

import subprocess
import sys

import requests

from kiosk.api import HmacAuth
from tests.support.server_proc import REPO_ROOT, ServerProcess


def enroll_kiosk(server: ServerProcess, kiosk_id: str) -> requests.Session:
    """`admin kiosk-enroll-code` as a process, then POST /v1/kiosk/enroll: a session signing as the new kiosk."""
    done = subprocess.run([sys.executable, "-m", "server", "admin", "kiosk-enroll-code", "--kiosk-id", kiosk_id],
                          cwd=REPO_ROOT, env=server.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code = done.stdout.splitlines()[1].strip()  # the line after the banner
    answer = requests.post(server.base_url + "/v1/kiosk/enroll", json={"code": code}, timeout=30)
    assert answer.status_code == 200, answer.text
    enrolled = answer.json()
    assert enrolled["kiosk_id"] == kiosk_id
    session = requests.Session()
    session.auth = HmacAuth(kiosk_id, enrolled["secret"])
    return session

"""The virtual card's CLI and start_private_stack: as `make run` and a person at the kiosk use them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.card import JpkiSession, NotMyNumberCardError
from kiosk.card.pcsc import PcscConnection, wait_for_card
from tests.support.pcsc import SECOND_READER
from tests.support.waiting import WAIT_S
from virtualcard.control import send_command
from virtualcard.pcscd import free_port_pair

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "virtualcard", *args], cwd=REPO, capture_output=True, text=True, timeout=60,
        check=check,
    )


@pytest.fixture
def served_card(private_pcscd):
    """`python -m virtualcard serve` on the session pcscd's second vpcd reader (port P+1)."""
    control = free_port_pair()
    server = subprocess.Popen(
        [sys.executable, "-m", "virtualcard", "serve", "--port", str(private_pcscd.port + 1),
         "--persona", "normal", "--control-port", str(control)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    assert server.stdout.readline().startswith(f"ready control-port={control}")
    yield control
    server.terminate()
    assert server.wait(timeout=10) == 0
    server.stdout.close()


def read_serial() -> int:
    with PcscConnection(SECOND_READER) as conn:
        return JpkiSession(conn).read_auth_certificate().serial


def test_serve_insert_remove_through_cli(served_card, test_pki):
    control = str(served_card)
    assert wait_for_card(SECOND_READER, present=True, timeout=WAIT_S)
    assert read_serial() == test_pki.personas["normal"].cert.serial_number
    assert cli("status", "--control-port", control).stdout.strip() == "ok inserted normal"

    assert cli("remove", "--control-port", control).stdout.strip() == "ok removed"
    assert wait_for_card(SECOND_READER, present=False, timeout=WAIT_S)
    assert cli("status", "--control-port", control).stdout.strip() == "ok empty"

    assert cli("insert", "renewed", "--control-port", control).returncode == 0
    assert wait_for_card(SECOND_READER, present=True, timeout=WAIT_S)
    assert read_serial() == test_pki.personas["renewed"].cert.serial_number

    cli("insert", "not_mynumber", "--control-port", control)
    assert wait_for_card(SECOND_READER, present=True, timeout=WAIT_S)
    with PcscConnection(SECOND_READER) as conn, pytest.raises(NotMyNumberCardError):
        JpkiSession(conn)

    bad = cli("insert", "nobody", "--control-port", control, check=False)
    assert bad.returncode == 1 and "unknown persona" in bad.stdout
    assert send_command("dance", served_card).startswith("error")


def test_list_names_every_persona():
    out = cli("list").stdout
    for key in ("normal", "wrong_then_right", "one_try_left", "blocked", "expired_cert", "revoked_cert",
                "different_pins", "pulled_out", "no_old_link", "renewed", "not_mynumber"):
        assert key in out


def test_start_private_stack_from_another_program_leaves_no_process(tmp_path):
    # A separate process, as scripts/run_system.py would be: its pyscard must point at its own pcscd.
    script = textwrap.dedent(
        """
        import os, sys
        from virtualcard.stack import start_private_stack
        from kiosk.card.pcsc import PcscConnection, wait_for_card
        from kiosk.card import JpkiSession
        stack = start_private_stack("normal")
        assert os.environ["PCSCLITE_CSOCK_NAME"] == str(stack.socket_path)
        assert wait_for_card(stack.reader, True, 5)
        with PcscConnection(stack.reader) as conn:
            assert JpkiSession(conn).is_my_number_card()
        assert stack.remove() == "ok removed"
        assert wait_for_card(stack.reader, False, 5)
        assert stack.insert("not_mynumber") == "ok inserted not_mynumber"
        print(stack.pcscd.process.pid, stack.card_server.pid, flush=True)
        stack.stop()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), "PCSCLITE_CSOCK_NAME": ""},
    )
    assert result.returncode == 0, result.stderr
    pids = [int(p) for p in result.stdout.split()]
    assert len(pids) == 2
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists()

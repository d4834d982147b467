"""Transport faults become typed errors: reader gone (pcscd stopped), card removed, unresponsive card."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from smartcard import scard

from kiosk.card import CardRemovedError, CardUnresponsiveError, NoCardError, ReaderGoneError
from kiosk.card.errors import TransportError
from kiosk.card.pcsc import PcscConnection, transport_error
from virtualcard.pcscd import READER_NAME

REPO = Path(__file__).resolve().parents[2]


def test_pcscd_going_away_is_reader_gone():
    # Needs its own pcscd to stop, hence its own process (pyscard binds one pcscd per process).
    script = textwrap.dedent(
        """
        from virtualcard.stack import start_private_stack
        from kiosk.card.pcsc import PcscConnection, wait_for_card, list_readers
        from kiosk.card import JpkiSession, ReaderGoneError
        stack = start_private_stack("normal")
        try:
            assert wait_for_card(stack.reader, True, 5)
            session = JpkiSession(PcscConnection(stack.reader).connect())
            stack.pcscd.stop()
            for step in (session.read_auth_certificate, list_readers):
                try:
                    step()
                except ReaderGoneError:
                    print("reader gone")
        finally:
            stack.stop()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n").count("reader gone") == 2


def test_connect_to_empty_reader_is_no_card(insert_card):
    insert_card("normal", physical=True)
    insert_card.remove()
    with pytest.raises(NoCardError):
        PcscConnection(READER_NAME).connect()


def test_removed_between_commands_is_card_removed(open_card, insert_card):
    conn, _ = open_card("normal", physical=True)
    conn.send_and_receive(bytes.fromhex("00A4040C0AD392F000260100000001"))
    insert_card.remove()
    with pytest.raises(CardRemovedError):
        conn.send_and_receive(bytes.fromhex("00A4040C0AD392F000260100000001"))


@pytest.mark.parametrize(
    ("hresult", "expected"),
    [
        (scard.SCARD_W_REMOVED_CARD, CardRemovedError),
        (scard.SCARD_E_NO_SMARTCARD, CardRemovedError),
        (scard.SCARD_W_UNRESPONSIVE_CARD, CardUnresponsiveError),
        (scard.SCARD_E_TIMEOUT, CardUnresponsiveError),
        (scard.SCARD_E_NO_SERVICE, ReaderGoneError),
        (scard.SCARD_E_UNKNOWN_READER, ReaderGoneError),
        (scard.SCARD_E_READER_UNAVAILABLE, ReaderGoneError),
        (scard.SCARD_E_INVALID_HANDLE, TransportError),
    ],
)
def test_pcsc_result_codes_map_to_typed_errors(hresult, expected):
    # vpcd waits forever for a mute card, so CardUnresponsiveError cannot be produced end to end here.
    error = transport_error(hresult, "transmit")
    assert type(error) is expected
    assert f"{hresult & 0xFFFFFFFF:08X}" in str(error)

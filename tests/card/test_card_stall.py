"""A card or reader that does not answer a command in time, through the real pcscd and vpcd line
(VirtualCard.stall_on_ins): the kiosk gives the connection up within its deadline, a late answer is never
taken for another command's, and the next card works."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kiosk.card import CardTimeoutError, JpkiSession, TransportError
from kiosk.card.card_thread import CardThread
from kiosk.card.pcsc import PcscConnection, stalled
from virtualcard.pcscd import READER_NAME

TIMEOUT_S = 1.0
INS_READ_BINARY = 0xB0
SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def connection() -> PcscConnection:
    return PcscConnection(READER_NAME, command_timeout_s=TIMEOUT_S).connect()


@pytest.mark.timeout(60)  # the old kiosk waited until the card left: forever here
def test_a_command_never_answered_is_given_up_and_the_next_card_works(insert_card, card_server, test_pki):
    insert_card("normal", physical=True, stall_on_ins=INS_READ_BINARY)  # mute from the first READ BINARY
    conn = connection()
    jpki = JpkiSession(conn)
    started = time.monotonic()
    with pytest.raises(CardTimeoutError):
        jpki.read_token()
    waited = time.monotonic() - started
    assert card_server.went_mute.is_set()
    assert TIMEOUT_S <= waited < TIMEOUT_S + 4, "the caller waited the deadline, not until the card left"
    started = time.monotonic()
    conn.close()  # queues the disconnect behind the stuck call instead of waiting on it
    assert time.monotonic() - started < TIMEOUT_S

    # While the card is still stuck, nothing more goes to it: the old connection is closed, a new one refused.
    assert stalled(READER_NAME)
    with pytest.raises(TransportError):
        conn.send_and_receive(SELECT_JPKI)
    with pytest.raises(CardTimeoutError):
        connection()

    # The patron takes the card out: the stuck call ends, and the next card answers its own commands.
    insert_card.remove()
    wait_until(lambda: not stalled(READER_NAME))
    insert_card("normal", physical=True)
    fresh = connection()
    try:
        assert JpkiSession(fresh).read_token() == b"JPKIAPICCTOKEN2"
    finally:
        fresh.close()


@pytest.mark.timeout(60)
def test_a_late_answer_is_never_taken_for_the_next_commands(insert_card, test_pki):
    # The card answers the token's READ BINARY 3 s late, with the card left on the reader.
    card = insert_card("normal", physical=True, stall_on_ins=INS_READ_BINARY, stall_s=TIMEOUT_S * 3)
    conn = connection()
    with pytest.raises(CardTimeoutError):
        JpkiSession(conn).read_token()
    conn.close()
    wait_until(lambda: not stalled(READER_NAME))  # the late answer came, to the given-up connection
    assert card.stalled
    fresh = connection()
    try:
        # Had the late token (32 bytes + 9000) been kept, the certificate read would start with it.
        certificate = JpkiSession(fresh).read_auth_certificate()
        assert certificate.der == test_pki.personas["normal"].cert_der
    finally:
        fresh.close()


def test_a_call_given_up_before_it_started_is_never_made():
    # The connection's thread is still busy when the next call's deadline passes: that call is dropped, so a
    # VERIFY cannot reach the card later, behind the patron's back.
    thread = CardThread("test card")
    busy = threading.Event()
    thread.later(busy.wait)
    made: list[int] = []
    with pytest.raises(CardTimeoutError) as timeout:
        thread.call(lambda: made.append(1), 0.2)
    assert timeout.value.sent is False
    with pytest.raises(CardTimeoutError):
        thread.call(lambda: made.append(2), 0.2)  # a given-up thread takes nothing more
    busy.set()
    thread.stop()
    wait_until(lambda: not thread.alive)
    assert made == []

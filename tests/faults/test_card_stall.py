"""A card that never answers and a card that answers what no My Number card answers, through the kiosk's
effects, the real pcscd and vpcd line and the real server: each ends in its own card trouble within a
bounded time, and the next try works."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.card.pcsc import stalled
from kiosk.card.pin import Pin
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from kiosk.flows import migration as mig
from tests.faults.cards import INS_READ_BINARY, INS_SIGN, INS_VERIFY, TrickCard
from tests.faults.conftest import kiosk_settings
from tests.support.server_proc import ServerProcess
from virtualcard.card import VirtualCard
from virtualcard.pcscd import READER_NAME

NORMAL_CARD = "2000000014"
TIMEOUT_S = 1.0


def pin(digits: str) -> Pin:
    return Pin(bytearray(digits.encode()))


def sign(performer: Performer, certificate_der: bytes) -> object:
    return performer.perform(mig.SignAndSubmit(NORMAL_CARD, certificate_der, pin("1234"), False,
                                               str(uuid.uuid4()), text_pin=pin("1234")))


def linkages(database: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT l.scheme, l.active FROM linkages l JOIN patrons p ON p.id = l.patron_id "
                          "WHERE p.card_number = ? ORDER BY l.id", (NORMAL_CARD,)).fetchall()


@pytest.mark.timeout(90)  # the old kiosk waited on the card until it was taken out: forever here
def test_a_card_that_never_answers_the_signature_is_unresponsive_and_the_next_try_works(
        server: ServerProcess, tmp_path: Path, insert_card, test_pki) -> None:
    performer = Performer(kiosk_settings(server, tmp_path, KIOSK_CARD_COMMAND_TIMEOUT_S=str(TIMEOUT_S)))
    card = VirtualCard.for_persona(test_pki.personas["normal"])
    card.stall_on_ins = INS_SIGN  # mute from COMPUTE DIGITAL SIGNATURE on, until taken out
    insert_card(card, physical=True)
    read = performer.perform(cs.ReadCard())
    assert isinstance(read, cs.CardRead)

    started = time.monotonic()
    outcome = sign(performer, read.card.certificate_der)
    assert outcome == cs.CardFailed(cs.CardTrouble.UNRESPONSIVE)
    assert time.monotonic() - started < TIMEOUT_S + 5, "the effect came back, the worker is free"
    assert linkages(tmp_path / "server.db") == [("old", 1)], "nothing was submitted"
    flow = mig.MigrationFlow(r"^(\d{10})$", today=lambda: read.card.certificate_not_after)
    flow.state = mig.Migrating(NORMAL_CARD, read.card, cs.PinStep.SHARED)
    flow.handle(outcome)
    assert flow.state == cs.WaitingForCard(NORMAL_CARD, cs.CardTrouble.UNRESPONSIVE)

    # The patron takes the card out and places it again: read, sign and submit all work.
    insert_card.remove()
    deadline = time.monotonic() + 15
    while stalled(READER_NAME):
        assert time.monotonic() < deadline, "the stuck command did not end when the card left"
        time.sleep(0.02)
    insert_card(card, physical=True)  # the same card, answering again
    again = performer.perform(cs.ReadCard())
    assert isinstance(again, cs.CardRead)
    assert isinstance(sign(performer, again.card.certificate_der), mig.Migrated)
    assert linkages(tmp_path / "server.db") == [("old", 0), ("mykey", 1)]


def garbage_certificate(card: VirtualCard, apdu: bytes, response: bytes) -> bytes:
    """The 利用者証明用 certificate EF holds no DER SEQUENCE."""
    if apdu[1] == INS_READ_BINARY and card.current_ef == 0x000A and response[-2:] == b"\x90\x00":
        return b"\x04" * (len(response) - 2) + b"\x90\x00"
    return response


def odd_status_to_tries(card: VirtualCard, apdu: bytes, response: bytes) -> bytes:
    """A status word no My Number card gives to a tries read (an empty VERIFY)."""
    return b"\x6f\x00" if apdu[1] == INS_VERIFY and len(apdu) == 4 else response


def short_signature(_card: VirtualCard, apdu: bytes, response: bytes) -> bytes:
    """A 'signature' of 16 bytes where RSA-2048 gives 256."""
    return response[:16] + response[-2:] if apdu[1] == INS_SIGN else response


HOSTILE: dict[str, tuple[Callable[[VirtualCard, bytes, bytes], bytes], str]] = {
    "garbage-certificate": (garbage_certificate, "read"),
    "odd-status-word": (odd_status_to_tries, "read"),
    "short-signature": (short_signature, "sign"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_an_answer_no_my_number_card_gives_is_an_unexpected_answer(kind: str, server: ServerProcess,
                                                                   tmp_path: Path, insert_card, test_pki) -> None:
    answer, step = HOSTILE[kind]
    performer = Performer(kiosk_settings(server, tmp_path))
    card = TrickCard.for_persona(test_pki.personas["normal"])
    insert_card(card, physical=True)
    read = performer.perform(cs.ReadCard())
    assert isinstance(read, cs.CardRead)
    card.answer = answer
    outcome = performer.perform(cs.ReadCard()) if step == "read" else sign(performer, read.card.certificate_der)
    assert outcome == cs.CardFailed(cs.CardTrouble.UNEXPECTED_ANSWER)
    assert linkages(tmp_path / "server.db") == [("old", 1)], "nothing was submitted"

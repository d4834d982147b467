"""The card pulled out at each card step (read, birth date, sign), through the real pcscd and vpcd line:
each ends in the flow's "card removed" event, never an exception."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.card.pin import Pin
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from kiosk.flows import migration as mig
from tests.faults.cards import TrickCard, at_certificate_read, at_signature, at_text_pin
from tests.faults.conftest import kiosk_settings
from tests.support.server_proc import ServerProcess
from virtualcard.card import VirtualCard

NORMAL_CARD = "2000000014"


def pin(digits: str) -> Pin:
    return Pin(bytearray(digits.encode()))


def step_read(performer: Performer, _cert: bytes) -> object:
    return performer.perform(cs.ReadCard())


def step_birth_date(performer: Performer, _cert: bytes) -> object:
    return performer.perform(mig.ReadBirthDate(pin("1234"), False))


def step_sign(performer: Performer, cert: bytes) -> object:
    return performer.perform(mig.SignAndSubmit(NORMAL_CARD, cert, pin("1234"), False, str(uuid.uuid4())))


STEPS: dict[str, tuple[Callable[[VirtualCard, bytes], bool], Callable[[Performer, bytes], object]]] = {
    "read": (at_certificate_read, step_read),
    "birth_date": (at_text_pin, step_birth_date),
    "sign": (at_signature, step_sign),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_card_pulled_out_during_a_step_is_card_removed(step: str, server: ServerProcess, tmp_path: Path,
                                                        insert_card, test_pki) -> None:
    pull_when, perform = STEPS[step]
    card = TrickCard.for_persona(test_pki.personas["normal"])
    pulled: list[bytes] = []

    def pull_once(c: VirtualCard, apdu: bytes) -> bool:
        if not pulled and pull_when(c, apdu):
            pulled.append(apdu)
            return True
        return False

    card.pull_when = pull_once
    insert_card(card, physical=True)
    performer = Performer(kiosk_settings(server, tmp_path))
    outcome = perform(performer, test_pki.personas["normal"].cert_der)
    assert pulled, f"the card left during the {step} step"
    assert outcome == cs.CardFailed(cs.CardTrouble.REMOVED)
    with sqlite3.connect(tmp_path / "server.db") as db:
        schemes = db.execute("SELECT l.scheme, l.active FROM linkages l JOIN patrons p ON p.id = l.patron_id "
                             "WHERE p.card_number = ?", (NORMAL_CARD,)).fetchall()
    assert schemes == [("old", 1)], "nothing was submitted"

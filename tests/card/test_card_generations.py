"""Cards the kiosk cannot use, told apart by what they answer, through this run's private pcscd: a newer
card generation and a face-authentication-only card each end in their own counter message, never in
"place the card again", and no PIN goes to either card."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.effects.card import CardSessions
from kiosk.effects.migration import MigrationWork
from kiosk.flows import card_steps as cs
from kiosk.flows import migration as m
from virtualcard.card import MYNUMBER_ATR, NEXT_GENERATION_ATR
from virtualcard.pcscd import READER_NAME


def read_card() -> object:
    """The no-PIN card read every card flow starts with, as the app performs it (no server is asked)."""
    work = MigrationWork(api=None, cards=CardSessions(READER_NAME), today=lambda: date(2026, 6, 15))  # type: ignore[arg-type]
    return work.read_card(cs.ReadCard())


def no_pin_sent(card) -> bool:  # type: ignore[no-untyped-def]
    return not any(apdu[1] == 0x20 and len(apdu) > 4 for apdu in card.history)


@pytest.mark.parametrize(("persona", "reason"), [("next_generation", cs.Unusable.NEWER_CARD),
                                                 ("face_auth", cs.Unusable.FACE_AUTH_ONLY)])
def test_a_card_the_kiosk_cannot_use_says_why(insert_card, persona: str, reason: cs.Unusable) -> None:
    card = insert_card(persona)
    assert read_card() == cs.CardNotUsable(reason)
    assert no_pin_sent(card)
    flow = m.MigrationFlow(r"^\d{10}$", today=lambda: date(2026, 6, 15))
    flow.state = cs.ReadingCard("2000000014")
    flow.handle(read_card())
    assert flow.state == cs.CardUnusable("2000000014", reason)
    assert m.counter_ticket_for(flow.state) == ("mynumber", f"card_{reason}", None)


def test_the_generation_is_told_by_the_answers_not_the_atr(insert_card) -> None:
    newer = insert_card("next_generation", physical=True, atr=MYNUMBER_ATR)  # today's ATR on a newer card
    assert read_card() == cs.CardNotUsable(cs.Unusable.NEWER_CARD)
    assert no_pin_sent(newer)
    insert_card("normal", physical=True, atr=NEXT_GENERATION_ATR)  # a strange ATR on today's card
    read = read_card()
    assert isinstance(read, cs.CardRead) and (read.card.auth_tries, read.card.text_tries) == (3, 3)
    assert read.card.profile.generation == "mynumber-2016"


def test_the_face_authentication_card_is_not_read_as_blocked(insert_card) -> None:
    insert_card("face_auth")
    assert read_card() == cs.CardNotUsable(cs.Unusable.FACE_AUTH_ONLY)
    blocked = insert_card("blocked")
    read = read_card()
    assert isinstance(read, cs.CardRead) and read.card.auth_tries == 0, "a blocked PIN still reads as blocked"
    assert no_pin_sent(blocked)

"""A hostile or broken card: whatever it answers, the card layer raises only its own typed errors, and stops.

The "card" here answers random data and status words (Hypothesis, seeded). It
stands in for cards we cannot build, not for a part that runs here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.card import CardError, JpkiSession, Pin, TextApSession, sha256_digest_info
from kiosk.card.protocol import MAX_GET_RESPONSE_ROUNDS

MAX_APDUS_PER_STEP = 400  # a 61xx chain is capped at 300 rounds; a certificate needs a handful of READs
INTERESTING_SW = [0x9000, 0x6282, 0x63C0, 0x63C1, 0x63C2, 0x63C3, 0x63CF, 0x6984, 0x6982, 0x6A82, 0x6A86,
                  0x6B00, 0x6D00, 0x6E00, 0x6100, 0x6110, 0x6C10, 0x6C00, 0x6700, 0x6F00]


class ScriptedCard:
    """Answers each command with the next scripted (data, sw); records what it was sent."""

    supports_extended_length = False

    def __init__(self, answers: list[tuple[bytes, int]]) -> None:
        self.answers = answers
        self.sent: list[bytes] = []
        self.since_step = 0

    def send_and_receive(self, command: bytes | bytearray) -> tuple[bytes, int]:
        self.sent.append(bytes(command))
        self.since_step += 1
        if self.since_step > MAX_APDUS_PER_STEP:
            raise AssertionError("the card layer does not stop talking")
        answer = self.answers[(len(self.sent) - 1) % len(self.answers)]
        return answer


answers = st.lists(
    st.tuples(st.binary(max_size=300), st.one_of(st.sampled_from(INTERESTING_SW), st.integers(0, 0xFFFF))),
    min_size=1, max_size=12,
)


def run_everything(card: ScriptedCard) -> None:
    steps = [
        lambda: JpkiSession(card).is_my_number_card(),
        lambda: JpkiSession(card).read_auth_certificate(),
        lambda: JpkiSession(card).auth_pin_tries_left(),
        lambda: JpkiSession(card).verify_auth_pin(Pin(bytearray(b"1234")), last_try_confirmed=True),
        lambda: JpkiSession(card).sign_auth(sha256_digest_info(b"x")),
        lambda: TextApSession(card).read_basic_four(),
        lambda: TextApSession(card).verify_text_pin(Pin(bytearray(b"1234"))),
    ]
    for step in steps:
        card.since_step = 0
        try:
            step()
        except CardError:
            pass


@settings(derandomize=True, max_examples=300, deadline=None)
@given(answers)
def test_random_answers_raise_only_card_errors(script):
    card = ScriptedCard(script)
    run_everything(card)
    # Whatever the card said, every VERIFY carrying a PIN came right after a tries read (empty VERIFY),
    # so none was ever a retry of the one before.
    for i, command in enumerate(card.sent):
        if command[1] == 0x20 and len(command) > 5:
            assert card.sent[i - 1] == bytes.fromhex("00200080")


def test_endless_61xx_is_bounded():
    card = ScriptedCard([(b"\x00" * 10, 0x6100)])
    with pytest.raises(CardError):
        JpkiSession(card)
    assert len(card.sent) <= MAX_GET_RESPONSE_ROUNDS + 2


def test_6cxx_on_verify_is_not_resent():
    # A card answering "wrong length" to a VERIFY must not make the layer send the PIN again.
    card = ScriptedCard([(b"", 0x9000), (b"", 0x9000), (b"", 0x63C3), (b"", 0x6C04)])
    session = JpkiSession(card)
    with pytest.raises(CardError):
        session.verify_auth_pin(Pin(bytearray(b"1234")))
    assert sum(1 for c in card.sent if c[1] == 0x20 and len(c) > 5) == 1

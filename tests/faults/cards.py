"""A virtual My Number card that is pulled out of the reader at a chosen command (through the real vpcd line)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from virtualcard.card import AID_TEXT, CardPulledOut, VirtualCard

INS_VERIFY = 0x20
INS_SIGN = 0x2A
INS_READ_BINARY = 0xB0


@dataclass
class TrickCard(VirtualCard):
    """Runs `before(apdu)` ahead of every command; `pull_when(card, apdu)` pulls the card out instead of answering."""

    pull_when: Callable[[VirtualCard, bytes], bool] = field(default=lambda _card, _apdu: False)
    before: Callable[[bytes], None] = field(default=lambda _apdu: None)
    # A hostile card: (card, command, the persona card's answer) -> the answer it gives instead.
    answer: Callable[[VirtualCard, bytes, bytes], bytes] = field(default=lambda _card, _apdu, response: response)

    def process(self, apdu: bytes) -> bytes:
        """Answer like the persona's card, unless this is the moment it leaves the reader."""
        self.before(apdu)
        if len(apdu) >= 2 and self.pull_when(self, apdu):
            raise CardPulledOut()
        return self.answer(self, apdu, super().process(apdu))


def at_certificate_read(card: VirtualCard, apdu: bytes) -> bool:
    """While the 利用者証明用 certificate is being read (no PIN yet)."""
    return apdu[1] == INS_READ_BINARY and card.current_ef == 0x000A


def at_text_pin(card: VirtualCard, apdu: bytes) -> bool:
    """At the 入力補助 PIN's VERIFY, before the birth date is read."""
    return apdu[1] == INS_VERIFY and card.current_aid == AID_TEXT and len(apdu) > 5


def at_signature(_card: VirtualCard, apdu: bytes) -> bool:
    """At COMPUTE DIGITAL SIGNATURE, after the 利用者証明用 PIN was verified."""
    return apdu[1] == INS_SIGN

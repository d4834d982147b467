"""A PIN held in a bytearray for exactly one VERIFY, then zeroed.

What this module guarantees: the PIN lives in one mutable `bytearray` that the
card layer copies only into the (also mutable) command buffer of the single
VERIFY that uses it; both are overwritten with zeros right after that command,
whatever its outcome; `repr`/`str` never show the digits; no logger sees them.

What CPython cannot guarantee beyond that, and this module does not pretend to:
- the bytes handed to pyscard become a C buffer and then pcscd's and the
  driver's buffers (and, with the virtual card, a socket buffer); we cannot wipe
  those;
- a `bytearray` that grows may be moved by the allocator, leaving the old block
  unwiped; build PINs with their final size or append at most 4 digits;
- the kiosk's input widget and any `str`/`bytes`/`int` the UI made on the way
  (immutable objects cannot be wiped and are freed, not cleared);
- memory is not locked, so it may be swapped to disk; core dumps include it.
Keep the PIN's life short: create it from the keypad, pass it once, let it go.
"""

from __future__ import annotations

PIN_LENGTH = 4  # today's card: both PINs the kiosk uses have 4 digits (kiosk.card.profile)
MAX_PIN_LENGTH = 8  # the longest a card profile may ask for (the next card's 照合番号 is said to be 6)


class Pin:
    """A PIN of ``length`` ASCII digits (4 unless the card's profile says otherwise), usable for one command."""

    __slots__ = ("_buf",)

    def __init__(self, digits: bytearray, length: int = PIN_LENGTH) -> None:
        if not isinstance(digits, bytearray):
            # A str or bytes could not be wiped afterwards.
            raise TypeError("a PIN must be given as a bytearray of ASCII digits")
        if not 0 < length <= MAX_PIN_LENGTH or len(digits) != length or not all(0x30 <= b <= 0x39 for b in digits):
            wipe(digits)
            raise ValueError(f"a PIN is exactly {length} ASCII digits")
        self._buf = digits  # take ownership: the caller's buffer is the one zeroed

    @property
    def consumed(self) -> bool:
        """True once the PIN has been zeroed."""
        return not any(self._buf)

    def take(self) -> bytearray:
        """The live buffer, for the single command that sends it; the caller must wipe() it."""
        if self.consumed:
            raise ValueError("this PIN was already used and zeroed")
        return self._buf

    def wipe(self) -> None:
        """Overwrite the PIN with zeros."""
        wipe(self._buf)

    def __repr__(self) -> str:
        return "Pin(<redacted>)"

    __str__ = __repr__


def wipe(buf: bytearray) -> None:
    """Overwrite a bytearray in place with zeros."""
    for i in range(len(buf)):
        buf[i] = 0

"""The PIN being typed: a fixed-size bytearray the flow owns, never a str, zeroed when done.

Screens only ever see how many digits are in it (to draw the dots).
"""

from __future__ import annotations

from kiosk.card.pin import MAX_PIN_LENGTH, PIN_LENGTH, Pin, wipe


class PinBuffer:
    """Up to MAX_PIN_LENGTH ASCII digits in a preallocated bytearray (it never grows, so it never moves).

    How many a PIN has is the card profile's: the pad passes it as ``limit`` (4 on today's card)."""

    def __init__(self) -> None:
        self._buf = bytearray(MAX_PIN_LENGTH)
        self._length = 0
        self._size = PIN_LENGTH  # the PIN's length, as the pad last said

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"PinBuffer(<{self._length} digits>)"

    def add(self, digit: str, limit: int = PIN_LENGTH) -> None:
        """Append one digit; ignored once ``limit`` are in."""
        self._size = min(limit, MAX_PIN_LENGTH)
        if self._length < self._size and len(digit) == 1 and digit.isascii() and digit.isdigit():
            self._buf[self._length] = ord(digit)
            self._length += 1

    def backspace(self) -> None:
        """Remove the last digit."""
        if self._length:
            self._length -= 1
            self._buf[self._length] = 0

    def clear(self) -> None:
        """Zero every digit."""
        wipe(self._buf)
        self._length = 0

    def take(self, copies: int = 1) -> list[Pin]:
        """The complete PIN as ``copies`` one-use Pins (one per VERIFY), and the buffer zeroed."""
        if self._length != self._size:
            raise ValueError("the PIN is not complete")
        # Copied through a memoryview: a slice of the buffer would be one more copy nobody wipes.
        digits = memoryview(self._buf)[: self._length]
        pins = [Pin(bytearray(digits), length=self._length) for _ in range(copies)]
        digits.release()
        self.clear()
        return pins

"""The PIN being typed: a fixed-size bytearray the flow owns, never a str, zeroed when done.

Screens only ever see how many digits are in it (to draw the dots).
"""

from __future__ import annotations

from kiosk.card.pin import PIN_LENGTH, Pin, wipe


class PinBuffer:
    """Up to four ASCII digits in a preallocated bytearray (it never grows, so it never moves)."""

    def __init__(self) -> None:
        self._buf = bytearray(PIN_LENGTH)
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"PinBuffer(<{self._length} digits>)"

    def add(self, digit: str) -> None:
        """Append one digit; ignored once four are in."""
        if self._length < PIN_LENGTH and len(digit) == 1 and digit.isascii() and digit.isdigit():
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
        if self._length != PIN_LENGTH:
            raise ValueError("the PIN is not complete")
        pins = [Pin(bytearray(self._buf)) for _ in range(copies)]
        self.clear()
        return pins

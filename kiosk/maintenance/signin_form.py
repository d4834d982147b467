"""What staff type on the kiosk's sign-in pad: a staff id (not secret) and a PIN held in a bytearray.

The PIN buffer is preallocated (it never grows, so it is never copied by the allocator) and zeroed after
each attempt, whatever its outcome; screens only see how many digits are in it.
"""

from __future__ import annotations

from kiosk.maintenance.signin import SignInResult, StaffSignIn

MAX_ID = 32
MIN_PIN, MAX_PIN = 4, 8
ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.@")


class SignInForm:
    """The staff id and PIN being typed."""

    def __init__(self) -> None:
        self.staff_id = ""
        self._pin = bytearray(MAX_PIN)
        self._length = 0

    @property
    def pin_length(self) -> int:
        """Digits typed so far."""
        return self._length

    def type_id(self, char: str) -> None:
        """One key of the staff-id keyboard (letters are taken in lower case)."""
        char = char.lower()
        if char in ID_CHARS and len(self.staff_id) < MAX_ID:
            self.staff_id += char

    def erase_id(self) -> None:
        """Backspace on the staff id."""
        self.staff_id = self.staff_id[:-1]

    def type_pin(self, digit: str) -> None:
        """One digit of the PIN."""
        if len(digit) == 1 and digit.isascii() and digit.isdigit() and self._length < MAX_PIN:
            self._pin[self._length] = ord(digit)
            self._length += 1

    def erase_pin(self) -> None:
        """Backspace on the PIN."""
        if self._length:
            self._length -= 1
            self._pin[self._length] = 0

    def clear_pin(self) -> None:
        """Zero the PIN."""
        for i in range(MAX_PIN):
            self._pin[i] = 0
        self._length = 0

    def ready(self) -> bool:
        """An id and a PIN of a plausible length are typed."""
        return bool(self.staff_id) and MIN_PIN <= self._length <= MAX_PIN

    def submit(self, signin: StaffSignIn) -> SignInResult:
        """Try the typed id and PIN once; the PIN is zeroed afterwards in every case."""
        pin = bytearray(self._pin[: self._length])  # exactly the digits: the checker zeroes this copy
        try:
            return signin.attempt(self.staff_id, pin)
        finally:
            for i in range(len(pin)):
                pin[i] = 0
            self.clear_pin()

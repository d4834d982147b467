"""In-process stand-ins for kiosk.card.pcsc.PcscConnection, backed by VirtualCard (fast unit tests)."""

from __future__ import annotations

from kiosk.card.errors import CardRemovedError, TransportError
from virtualcard.card import CardPulledOut, VirtualCard


class FakeConnection:
    """Same `send_and_receive` as PcscConnection, straight into a VirtualCard."""

    def __init__(self, card: VirtualCard, *, extended_length: bool = False) -> None:
        self.card = card
        self.supports_extended_length = extended_length
        self.removed = False
        card.power_on()

    def send_and_receive(self, command: bytes | bytearray) -> tuple[bytes, int]:
        """Process one APDU; a pulled-out card raises CardRemovedError, as pcsc does."""
        if self.removed:
            raise CardRemovedError("card removed")
        try:
            response = self.card.process(bytes(command))
        except CardPulledOut:
            self.removed = True
            self.card.power_off()
            raise CardRemovedError("card pulled out during the command") from None
        return response[:-2], (response[-2] << 8) | response[-1]


class RecordingConnection:
    """Wraps any connection and records every command sent (VERIFY data replaced by its length)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.commands: list[bytes] = []

    @property
    def supports_extended_length(self) -> bool:
        """Delegated to the wrapped connection."""
        return bool(getattr(self.inner, "supports_extended_length", False))

    def send_and_receive(self, command: bytes | bytearray) -> tuple[bytes, int]:
        """Record, then forward."""
        if len(command) > 5 and command[1] == 0x20:
            self.commands.append(bytes(command[:5]))
        else:
            self.commands.append(bytes(command))
        send = getattr(self.inner, "send_and_receive", None)
        if send is None:
            raise TransportError("wrapped object is not a connection")
        return send(command)

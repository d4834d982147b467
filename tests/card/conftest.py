"""Card tests run against this run's private pcscd (reserved and shared in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest


@pytest.fixture
def open_card(insert_card) -> Iterator[Callable]:
    """`conn, card = open_card('normal')`: insert a fresh persona card and connect through pcscd."""
    from kiosk.card.pcsc import PcscConnection
    from virtualcard.pcscd import READER_NAME

    opened: list[PcscConnection] = []

    def open_(persona, *, extended_length: bool | None = None, **card_options):
        card = insert_card(persona, **card_options)
        conn = PcscConnection(READER_NAME, extended_length=extended_length).connect()
        opened.append(conn)
        return conn, card

    yield open_
    for conn in opened:
        conn.close()

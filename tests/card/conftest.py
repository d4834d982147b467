"""Card tests run against this run's private pcscd; reserve it before anything touches pyscard."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.pcsc import card_server, insert_card, private_pcscd, reserve_pcscd, test_pki

reserve_pcscd()

__all__ = ["card_server", "insert_card", "private_pcscd", "test_pki"]


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

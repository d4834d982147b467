"""Fixtures for tests that need a real PC/SC stack: a private pcscd per test run and the virtual card.

pyscard's client library reads PCSCLITE_CSOCK_NAME once, at its first PC/SC
call, so `reserve_pcscd()` must run (setting the variable) before any test
touches pyscard: tests/card/conftest.py calls it at import time, during
collection. The daemon itself is started lazily by the `private_pcscd`
session fixture.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable, Iterator

import pytest

from tests.support.waiting import WAIT_S
from virtualcard.card import VirtualCard
from virtualcard.pcscd import READER_NAME, PrivatePcscd
from virtualcard.pki import TestPki, load_or_create
from virtualcard.vpcd import CardServer

_reserved: PrivatePcscd | None = None

SECOND_READER = "Virtual PCD 00 01"  # vpcd's second port (P+1): for a card served by another process


def reserve_pcscd() -> PrivatePcscd:
    """Choose this run's pcscd (port, socket path) and point PCSCLITE_CSOCK_NAME at it; idempotent."""
    global _reserved
    if _reserved is None:
        _reserved = PrivatePcscd()
        os.environ.update(_reserved.env)
        atexit.register(_reserved.stop)  # removes the directory even if no test started the daemon
    return _reserved


@pytest.fixture(scope="session")
def test_pki() -> TestPki:
    """The cached test PKI and personas (var/personas/)."""
    return load_or_create()


@pytest.fixture(scope="session")
def private_pcscd() -> Iterator[PrivatePcscd]:
    """This run's own pcscd with the vpcd reader; stopped at the end of the session."""
    daemon = reserve_pcscd()
    if os.environ.get("PCSCLITE_CSOCK_NAME") != str(daemon.socket_path):
        pytest.fail("PCSCLITE_CSOCK_NAME was changed after reserve_pcscd()")
    daemon.start()
    yield daemon
    if "smartcard.CardMonitoring" in sys.modules:  # pyscard's monitor thread outlives its observers
        from kiosk.card.monitor import stop_monitor_threads

        stop_monitor_threads()
    daemon.stop()


@pytest.fixture(scope="session")
def card_server(private_pcscd: PrivatePcscd) -> Iterator[CardServer]:
    """The virtual card's vpcd client, holding no card between tests."""
    server = CardServer(private_pcscd.port)
    yield server
    server.close()


InsertCard = Callable[..., VirtualCard]


@pytest.fixture
def insert_card(card_server: CardServer, test_pki: TestPki) -> Iterator[InsertCard]:
    """`insert_card('normal')` puts a fresh card of that persona in the reader and waits until pcscd sees it.

    The card stays in after the test. Unless `physical=True`, a card with the
    same ATR as the one in the reader is swapped in behind the live vpcd line
    (CardServer.swap); tests of insertion and removal pass physical=True.
    """
    from kiosk.card.pcsc import wait_for_card

    def insert(persona: str | VirtualCard, *, physical: bool = False, **card_options: object) -> VirtualCard:
        card = persona if isinstance(persona, VirtualCard) else VirtualCard.for_persona(test_pki.personas[persona])
        for name, value in card_options.items():
            setattr(card, name, value)
        current = card_server.card
        if card_server.inserted and not physical and current is not None and current.atr == card.atr:
            # Same ATR and no insertion under test: swap the card behind the live line (no 0.4 s waits).
            card_server.swap(card)
            return card
        if card_server.inserted:
            remove()
        card_server.insert(card)
        assert wait_for_card(READER_NAME, present=True, timeout=WAIT_S), "pcscd did not see the inserted card"
        return card

    def remove() -> None:
        card_server.remove()
        assert wait_for_card(READER_NAME, present=False, timeout=WAIT_S), "pcscd did not see the card leave"

    insert.remove = remove  # type: ignore[attr-defined]
    yield insert
    if not card_server.inserted and card_server.pulled_out.is_set():
        # The persona pulled itself out: let pcscd notice before the next test inserts.
        assert wait_for_card(READER_NAME, present=False, timeout=WAIT_S), "pcscd did not see the card leave"

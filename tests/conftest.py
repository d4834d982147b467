"""Fixtures shared by every test directory, defined once so session-scoped ones exist once per run.

This run's private pcscd and the virtual card (tests/support/pcsc.py) serve the card tests and the UI
tests alike. pyscard reads PCSCLITE_CSOCK_NAME at its first PC/SC call, so the daemon is reserved
(its socket path put in the environment) here, at collection, before any test can touch pyscard.
"""

from __future__ import annotations

from tests.support.pcsc import card_server, insert_card, private_pcscd, reserve_pcscd, test_pki

reserve_pcscd()

__all__ = ["card_server", "insert_card", "private_pcscd", "test_pki"]

"""Fixtures shared by every test directory, defined once so session-scoped ones exist once per run.

This run's private pcscd and the virtual card (tests/support/pcsc.py) serve the card tests and the UI
tests alike. pyscard reads PCSCLITE_CSOCK_NAME at its first PC/SC call, so the daemon is reserved
(its socket path put in the environment) here, at collection, before any test can touch pyscard.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.markers import forbid_processes, mark_tiers
from tests.support.pcsc import card_server, insert_card, private_pcscd, reserve_pcscd, test_pki

reserve_pcscd()

# Hypothesis: in `make test` every run is seeded (derandomize) so CI is repeatable; `make fuzz` sets
# HYPOTHESIS_PROFILE=long for many more, random examples (tests/security/fuzzing.py scales the explicit
# per-test counts of the fuzz tests with it). CI keeps no example database: nothing is written.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile(
    "long", derandomize=False, max_examples=2000, deadline=None, print_blob=True,
    # A failure a long run found is tried first by the next long run.
    database=DirectoryBasedExampleDatabase(Path(__file__).resolve().parent.parent / "var" / "hypothesis"),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

__all__ = ["card_server", "insert_card", "private_pcscd", "test_pki"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """unit / integration / e2e on every test (tests/markers.py): `make test-unit` is the quick loop."""
    mark_tiers(items)


@pytest.fixture(autouse=True)
def _unit_tests_start_no_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("unit"):
        forbid_processes(monkeypatch)


@pytest.fixture(autouse=True)
def take_the_card_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """A card one test leaves on the shared virtual reader would be a card left behind for the next test's kiosk
    (its results and its attract screen would show the take-your-card banner, kiosk/card_left.py): a test that
    placed a card takes it away. Every test, not only the UI ones: a card test or a fault test runs before them."""
    if "insert_card" not in request.fixturenames:
        yield
        return
    # Asked for here, before the test: then they are torn down after this fixture, not before it.
    insert_card, card_server = request.getfixturevalue("insert_card"), request.getfixturevalue("card_server")
    yield
    if card_server.inserted:
        insert_card.remove()

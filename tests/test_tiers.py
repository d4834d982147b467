"""The unit / integration / e2e markers of tests/markers.py: one on every test, and a unit test may start no process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.markers import TIERS, ProcessInUnitTestError, forbid_processes


def test_every_collected_test_has_exactly_one_tier(request: pytest.FixtureRequest) -> None:
    for item in request.session.items:
        tiers = [name for name in TIERS if item.get_closest_marker(name)]
        assert len(tiers) == 1, (item.nodeid, tiers)
        if item.nodeid.startswith(("tests/ui/", "tests/web/")):
            assert tiers == ["e2e"], item.nodeid


def test_a_unit_test_that_starts_a_process_fails_saying_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_processes(monkeypatch)
    with pytest.raises(ProcessInUnitTestError, match="marked integration"):
        subprocess.run([sys.executable, "-c", "pass"], check=True)

"""Which tier a test belongs to, decided here for every collected test so a new test cannot forget it.

- ``e2e``: the whole system or a real front end: the Kivy app on Xvfb, Chromium, nginx.
- ``integration``: a real process or service beside the test: a server, PostgreSQL, pcscd, a subprocess,
  or a database file.
- ``unit``: none of these; the test runs in the pytest process alone (a quick loop: ``make test-unit``).

A test is put in the highest tier that its directory, its fixtures or its module's helpers call for. A
unit test that starts a process anyway fails at once (``forbid_processes``), so a mistake shows.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "integration", "e2e")

# Paths under tests/ whose every test is end-to-end.
E2E_PATHS = ("ui/", "web/", "system/", "deploy/test_nginx_site.py")
E2E_FIXTURES = frozenset({"display", "kiosk", "card_kiosk", "browsers", "browser"})
INTEGRATION_FIXTURES = frozenset({
    "pg", "web_pg", "db_url", "state", "sqlite_dir", "web_sqlite_dir", "live_server", "staff_policy_server",
    "server", "shared_server", "security_server", "ui_server", "fresh_server",
    "private_pcscd", "card_server", "insert_card", "open_card",
})
# Names that, used in a test function (a local import too), start a process.
E2E_NAMES = frozenset({"KioskProcess", "webdriver", "xvfb"})
INTEGRATION_NAMES = frozenset({"subprocess", "start_server", "ticket_servers", "start_postgres"})
# Tests whose processes start deeper down, in the code they call (the unit guard below found them).
INTEGRATION_TESTS = (
    "card/test_card_bench.py::",  # bench.card_bench runs its card in a child process
    "kiosk/test_a11y.py::test_espeak_ng_",  # the real espeak-ng
)


def _process_helpers() -> tuple[list[Any], list[Any]]:
    """What a test module holds when it starts processes itself: (end-to-end helpers, integration helpers)."""
    from selenium import webdriver

    from scripts.xvfb import xvfb
    from tests.support import postgres, server_proc, tickets
    from tests.support.kiosk_app import KioskProcess

    return ([KioskProcess, webdriver, xvfb],
            [subprocess, server_proc.start_server, tickets.ticket_servers, postgres.start_postgres])


def tier(item: pytest.Item, helpers: tuple[list[Any], list[Any]]) -> str:
    """The tier of one collected test."""
    where = Path(item.path).resolve().relative_to(TESTS).as_posix()
    node = where + "::" + item.name
    fixtures = set(getattr(item, "fixturenames", ()))
    module: ModuleType | None = getattr(item, "module", None)
    held = list(vars(module).values()) if module is not None else []
    code = getattr(getattr(item, "function", None), "__code__", None)
    names = set(code.co_names + code.co_varnames) if code is not None else set()

    def holds(objects: list[Any]) -> bool:
        return any(value is obj for value in held for obj in objects)

    if where.startswith(E2E_PATHS) or fixtures & E2E_FIXTURES or names & E2E_NAMES or holds(helpers[0]):
        return "e2e"
    if (fixtures & INTEGRATION_FIXTURES or names & INTEGRATION_NAMES or holds(helpers[1])
            or node.startswith(INTEGRATION_TESTS)):
        return "integration"
    return "unit"


def mark_tiers(items: list[pytest.Item]) -> None:
    """Give every test exactly one tier marker (a marker written on a test by hand wins)."""
    helpers = _process_helpers()
    for item in items:
        if not any(item.get_closest_marker(name) for name in TIERS):
            item.add_marker(tier(item, helpers))


class ProcessInUnitTestError(AssertionError):
    """A test marked unit started a process."""


def forbid_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any subprocess a unit test starts fail with a message that says what to do."""
    def refuse(self: subprocess.Popen, args: Any, *_a: Any, **_k: Any) -> None:
        raise ProcessInUnitTestError(f"a unit test started a process ({args!r}): use a fixture that starts it "
                                "(tests/markers.py), so the test is marked integration")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)

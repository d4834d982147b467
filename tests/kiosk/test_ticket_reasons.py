"""Every reason code a kiosk flow can put on a counter ticket has text in every catalogue.

The codes are collected from the code itself: every tuple that starts with a ticket service's id and goes on
with a literal code ((service, reason) tables, counter_ticket_for's returns), and every literal reason given
to ticket.Choose or app.counter_ticket, in kiosk/ and screens/.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.effects.tickets import REASON_OTHER
from server.config import DEFAULT_TICKET_SERVICES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {s.id for s in DEFAULT_TICKET_SERVICES} | {
    s["id"] for s in tomllib.loads((ROOT / "config" / "server.toml").read_text(encoding="utf-8")).get(
        "ticket_services", [])}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def reason_codes() -> dict[str, set[str]]:
    """Reason code -> the files that send it."""
    found: dict[str, set[str]] = {}
    for path in [*(ROOT / "kiosk").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            codes: list[str | None] = []
            if isinstance(node, ast.Tuple) and len(node.elts) >= 2 and _literal(node.elts[0]) in SERVICES:
                if _literal(node.elts[1]) not in SERVICES:  # not a list of the services themselves
                    codes.append(_literal(node.elts[1]))
            elif isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("Choose", "counter_ticket", "IssueTicket"):
                    codes += [_literal(a) for a in node.args[1:2]]
                    codes += [_literal(k.value) for k in node.keywords if k.arg == "reason"]
            for code in codes:
                if code is not None:
                    found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_collector_finds_the_codes_of_every_flow_that_offers_a_counter_ticket() -> None:
    sources = {source for files in reason_codes().values() for source in files}
    offering = {str(p.relative_to(ROOT)) for p in (ROOT / "kiosk" / "flows").glob("*.py")
                if "def counter_ticket_for" in p.read_text(encoding="utf-8")}
    assert offering and offering <= sources


@pytest.mark.parametrize("language", i18n.languages())
def test_every_reason_code_has_text_in_every_catalogue(language: str) -> None:
    keys = {f"ticket.reason.{code}": files for code, files in reason_codes().items()}
    missing = {key: sorted(files) for key, files in keys.items() if i18n.missing_keys([key], language)}
    assert not missing, f"{language}: no text for {missing}"
    assert not i18n.missing_keys([REASON_OTHER], language)

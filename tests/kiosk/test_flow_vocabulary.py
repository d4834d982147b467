"""One place per meaning: a name is taken from the flow module that defines it, never through another flow.

The shared card steps (CardFailed, PinStep, PinBlocked, ...) live in ``kiosk/flows/card_steps.py`` and the
shared entry events in ``kiosk/flows/common.py``; a module that took them through ``kiosk/flows/migration.py``
made the migration the hub every card flow depended on. The scan reads the source (AST), so a name reached
as ``mig.CardFailed`` or ``from kiosk.flows.migration import CardFailed`` is caught even though Python would
resolve it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOWS = {p.stem: p for p in (ROOT / "kiosk" / "flows").glob("*.py") if p.stem != "__init__"}
SCANNED = [*sorted((ROOT / "kiosk").rglob("*.py")), *sorted((ROOT / "screens").rglob("*.py")),
           *sorted((ROOT / "bench").rglob("*.py")), ROOT / "main.py"]


def defined_in(source: str) -> set[str]:
    """Names a module defines at its top level (classes, functions, assignments), not the ones it imports."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def borrowed(source: str, owns: dict[str, set[str]]) -> list[str]:
    """Each ``flow.Name`` / ``from kiosk.flows.flow import Name`` where ``flow`` does not define ``Name``."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        if node.module == "kiosk.flows":
            aliases |= {(a.asname or a.name): a.name for a in node.names if a.name in owns}
        elif node.module.startswith("kiosk.flows.") and (flow := node.module.rsplit(".", 1)[1]) in owns:
            found += [f"line {node.lineno}: from {flow} import {a.name}" for a in node.names
                      if a.name not in owns[flow]]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr not in owns[aliases[node.value.id]]):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr} ({aliases[node.value.id]})")
    return found


OWNS = {name: defined_in(path.read_text(encoding="utf-8")) for name, path in FLOWS.items()}


def test_the_scan_catches_card_vocabulary_taken_through_the_migration() -> None:
    assert {"CardFailed", "PinStep", "PinBlocked", "CertificateExpired", "SamePin"} <= OWNS["card_steps"]
    source = ("from kiosk.flows import migration as mig\nfrom kiosk.flows.migration import PinStep, Refusal\n"
              "x = mig.CardFailed\ny = mig.Refusal.NO_OLD_LINK\n")
    assert borrowed(source, OWNS) == ["line 2: from migration import PinStep", "line 3: mig.CardFailed (migration)"]


def test_the_migration_defines_only_its_own_steps() -> None:
    migration = OWNS["migration"]
    assert "MigrationFlow" in migration and "Refusal" in migration
    assert not migration & (OWNS["card_steps"] | OWNS["common"])
    assert "__all__" not in migration  # no re-export list: what it imports is not part of its vocabulary


def test_no_module_takes_a_name_through_a_flow_that_does_not_define_it() -> None:
    offenders = {str(path.relative_to(ROOT)): found for path in SCANNED
                 if (found := borrowed(path.read_text(encoding="utf-8"), OWNS))}
    assert offenders == {}

"""The layering as contracts (pyproject.toml's [tool.importlinter], run by `make lint` and `make test`):
kept by the real tree, broken (and named) when a module breaks one, and no import cycle between modules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = ROOT / ".venv" / "bin" / "lint-imports"
PACKAGES = ("kiosk", "server", "protocol", "screens", "virtualcard")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def copy_of_the_tree(target: Path) -> Path:
    """The project's Python files and its pyproject.toml (the contracts), in `target`."""
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            copy = target / source.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    shutil.copyfile(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
    for contract in ("kiosk never imports kivy or screens", "server never imports kiosk, screens or virtualcard",
                     "only kiosk.card.pcsc", "no cycles between the packages and modules of kiosk",
                     "no cycles between the packages and modules of server"):
        assert contract in result.stdout


# One throwaway module per case, each breaking one rule; lint-imports must fail and name that contract.
BROKEN = {
    "kiosk imports kivy": ("kiosk/flows/_probe.py", "import kivy.app\n", "kiosk never imports kivy or screens"),
    "kiosk imports screens": ("kiosk/_probe.py", "from screens import routes\n",
                              "kiosk never imports kivy or screens"),
    "server imports kiosk": ("server/_probe.py", "import kiosk.api.wire\n",
                             "server never imports kiosk, screens or virtualcard"),
    "pyscard outside kiosk.card.pcsc": ("kiosk/effects/_probe.py", "from smartcard import scard\n",
                                        "only kiosk.card.pcsc"),
    # The outbox importing the maintenance core, which puts items in the outbox: the cycle of issue 17.
    "a cycle in kiosk": ("kiosk/outbox/_probe.py", "from kiosk.maintenance import audit\n",
                         "no cycles between the packages and modules of kiosk"),
    "a cycle in server, late": ("server/ops/_probe.py",
                                "def run() -> None:\n    from server.cli import common\n",
                                "no cycles between the packages and modules of server"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_module_breaking_a_contract_fails_lint_imports_naming_the_contract(case: str, tmp_path: Path) -> None:
    tree = copy_of_the_tree(tmp_path)
    path, source, contract = BROKEN[case]
    (tree / path).write_text(source, encoding="utf-8")
    result = lint_imports(tree)
    assert result.returncode != 0, result.stdout[-3000:]
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout[-3000:]
    assert "1 broken" in result.stdout, "only the contract this module breaks"


def test_make_lint_and_make_test_run_the_contracts() -> None:
    for target in ("lint", "test"):
        dry_run = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert dry_run.returncode == 0, dry_run.stderr
        assert "lint-imports" in dry_run.stdout, f"make {target} does not run lint-imports"


def module_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Every set of modules of `package` that import each other round (strongly connected, two or more)."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in modules:  # Tarjan's algorithm, iterative
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start) & inside)))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target) & inside))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    if len(members) > 1:
                        cycles.append(sorted(members))
    return cycles


def test_the_cycle_finder_finds_a_cycle_through_a_package_and_its_module() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("kiosk.outbox", "kiosk.outbox.outbox"), ("kiosk.outbox.outbox", "kiosk.outbox"),
                               ("kiosk.api", "kiosk.version"), ("kiosk.a", "kiosk.b"), ("kiosk.b", "kiosk.c"),
                               ("kiosk.c", "kiosk.a"), ("kiosk.c", "server.x"), ("server.x", "kiosk.a")]:
        graph.add_import(importer=importer, imported=imported)
    assert module_cycles(graph, "kiosk") == [["kiosk.a", "kiosk.b", "kiosk.c"], ["kiosk.outbox", "kiosk.outbox.outbox"]]


@pytest.mark.parametrize("package", ["kiosk", "server", "protocol"])
def test_no_module_imports_itself_round_a_cycle(package: str) -> None:
    # Late imports count: a cycle hidden inside a function is still a cycle. Imports under TYPE_CHECKING do
    # not (they never run), as in the contracts. A package's __init__ and its own modules count too
    # (acyclic_siblings compares only siblings).
    graph = grimp.build_graph(package, cache_dir=None, exclude_type_checking_imports=True)
    assert module_cycles(graph, package) == []

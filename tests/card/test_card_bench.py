"""The card benchmark runs, prints its figures, finds no redundant command, and the README quotes its counts."""

from __future__ import annotations

import re
from pathlib import Path

from bench import card_bench

REPO = Path(__file__).resolve().parents[2]
# "<step>: N APDUs (minimum M" as the bench prints it and README.md and docs/performance.md quote it.
QUOTED = re.compile(r"(migration read|signing):\s+(\d+) APDUs \(minimum\s+(\d+)")


def quoted_counts(path: Path) -> dict[str, tuple[int, int]]:
    """Each step's (APDUs, minimum) as a document quotes the bench; every quote of a step must agree."""
    found: dict[str, set[tuple[int, int]]] = {}
    for step, apdus, minimum in QUOTED.findall(path.read_text(encoding="utf-8")):
        found.setdefault(step, set()).add((int(apdus), int(minimum)))
    assert all(len(v) == 1 for v in found.values()), f"{path.name} quotes a step with two counts: {found}"
    return {step: next(iter(v)) for step, v in found.items()}


def test_card_bench_counts_match_minimum_and_the_docs_quote_them(capsys):
    figures = card_bench.main()
    out = capsys.readouterr().out
    assert "baseline: bare SELECT round trip" in out and "minimum" in out
    for step in ("migration_read", "signing"):
        assert figures[step]["apdus"] == figures[step]["minimum_apdus"]
        assert figures[step]["median_ms"] > 0
    chunks = -(-figures["certificate_bytes"] // figures["chunk_bytes"])
    # With extended length the whole certificate comes in one READ BINARY instead of one per chunk.
    assert figures["migration_read_forced_extended_apdus"] == figures["migration_read"]["apdus"] - chunks + 1

    printed = {step: (int(a), int(m)) for step, a, m in QUOTED.findall(out)}
    measured = {"migration read": (figures["migration_read"]["apdus"], figures["migration_read"]["minimum_apdus"]),
                "signing": (figures["signing"]["apdus"], figures["signing"]["minimum_apdus"])}
    assert printed == measured
    for doc in ("README.md", "docs/performance.md"):
        assert quoted_counts(REPO / doc) == measured, f"{doc} quotes other counts than the bench measures"

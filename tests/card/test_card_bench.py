"""The card benchmark runs, prints its figures, and finds no redundant command."""

from __future__ import annotations

from bench import card_bench


def test_card_bench_counts_match_minimum(capsys):
    figures = card_bench.main()
    out = capsys.readouterr().out
    assert "baseline: bare SELECT round trip" in out and "minimum" in out
    for step in ("cert_and_tries", "pin_to_signature"):
        assert figures[step]["apdus"] == figures[step]["minimum_apdus"]
        assert figures[step]["median_ms"] > 0
    chunks = -(-figures["certificate_bytes"] // figures["chunk_bytes"])
    # With extended length the whole certificate comes in one READ BINARY instead of one per chunk.
    assert figures["cert_and_tries_forced_extended_apdus"] == figures["cert_and_tries"]["apdus"] - chunks + 1

"""The render benchmark runs and returns its figures (a few runs only: this checks it works, not speed)."""

from __future__ import annotations

import pytest

from bench import ticket_render_bench


def test_bench_returns_positive_figures(capsys: pytest.CaptureFixture[str]) -> None:
    figures = ticket_render_bench.main(runs=3)
    for key in ("render_ms", "png_write_ms", "baseline_text_line_ms", "baseline_qr_only_ms"):
        assert figures[key] > 0, key
    assert figures["render_vs_qr_only"] == figures["render_ms"] / figures["baseline_qr_only_ms"]
    assert "render ticket" in capsys.readouterr().out

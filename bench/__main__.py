"""`make bench`: run every benchmark in bench/ and write a short Markdown report and a PNG chart.

Each benchmark module is ``bench/<name>_bench.py`` with ``main() -> dict``: it prints its own figures,
measured against a baseline taken in the same run, and returns them for the report.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

import bench

REPORT_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"


def discover() -> list[str]:
    """Benchmark modules, in name order."""
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.endswith("_bench"))


def run(names: list[str]) -> dict[str, Any]:
    """Run each benchmark; a failing one is reported, not hidden, and the others still run."""
    results: dict[str, Any] = {}
    for name in names:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # one broken benchmark must not hide the others
            figures = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"FAILED: {figures['error']}", flush=True)
        results[name] = {"seconds": round(time.perf_counter() - started, 2), "figures": figures}
    return results


def write_report(results: dict[str, Any]) -> Path:
    """Markdown report (and the raw figures as JSON beside it)."""
    from bench.report import machine_description, write_chart

    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    chart = write_chart(results, REPORT_DIR / "report.png")
    lines = ["# Benchmark report", "", f"Run on {time.strftime('%Y-%m-%d %H:%M:%S %Z')}.", "",
             f"Machine: {machine_description()}.", "", f"![chart]({chart.name})", ""]
    for name, result in results.items():
        lines += [f"## {name}", "", f"Took {result['seconds']} s.", "", "| figure | value |", "|---|---|"]
        for key, value in _flatten(result["figures"]):
            lines.append(f"| {key} | {value} |")
        lines.append("")
    report = REPORT_DIR / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    (REPORT_DIR / "report.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return report


def _flatten(figures: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(figures, dict):
        out: list[tuple[str, Any]] = []
        for key, value in figures.items():
            out += _flatten(value, f"{prefix}{key}." if isinstance(value, dict) else f"{prefix}{key}")
        return out
    return [(prefix.rstrip("."), figures)]


def main(argv: list[str]) -> int:
    """Run the named benchmarks, or all of them."""
    names = argv or discover()
    results = run(names)
    report = write_report(results)
    print(f"\nreport: {report}")
    return 1 if any("error" in r["figures"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The chart of `make bench` (var/bench/report.png): each figure beside the baseline of the same run.

Panels are drawn from whatever benchmarks ran; a benchmark that failed or was not run leaves its
panel saying so instead of breaking the chart.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on CI or under `make bench` over ssh

import matplotlib.pyplot as plt  # after the backend is chosen

TICKET_TARGETS = (("hello", "bare hello"), ("sqlite", "SQLite"), ("postgresql", "PostgreSQL"),
                  ("postgresql_2w", "PostgreSQL, 2 processes"))


def machine_description() -> str:
    """Cores, CPU model and load: the context every figure needs."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, load average {load}; "
            "the load generator and the servers share these cores")


def _figures(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    figures = results.get(name, {}).get("figures")
    return None if not figures or "error" in figures else figures


def _missing(ax: Any, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "not measured in this run", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def _start(ax: Any, results: dict[str, Any]) -> None:
    figures = _figures(results, "kiosk_start_bench")
    if figures is None:
        return _missing(ax, "Kiosk cold start")
    values = [figures["bare_kivy_median_s"], figures["kiosk_median_s"]]
    ax.bar(["bare Kivy", "kiosk"], values, color=["#999999", "#1f77b4"])
    ax.set_title(f"Cold start to first frame ({figures['ratio']}x, goal <= {figures.get('goal_ratio', 1.5)}x)")
    ax.set_ylabel("seconds (median)")
    return None


def _card(ax: Any, results: dict[str, Any]) -> None:
    figures = _figures(results, "card_bench")
    if figures is None:
        return _missing(ax, "Card read")
    labels = ["bare SELECT", "migration read", "signing"]
    values = [figures["baseline_select_ms"], figures["migration_read"]["median_ms"],
              figures["signing"]["median_ms"]]
    bars = ax.bar(labels, values, color=["#999999", "#1f77b4", "#1f77b4"])
    for bar, apdus in zip(bars[1:], (figures["migration_read"]["apdus"], figures["signing"]["apdus"]),
                          strict=True):
        ax.annotate(f"{apdus} APDUs", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                    va="bottom", fontsize=8)
    ax.set_title("Card steps through pcscd (median)")
    ax.set_ylabel("ms")
    return None


def _tickets(ax_rate: Any, ax_p99: Any, results: dict[str, Any]) -> None:
    figures = _figures(results, "ticket_bench")
    if figures is None:
        _missing(ax_rate, "Tickets: throughput")
        return _missing(ax_p99, "Tickets: p99")
    counts = figures["kiosks"]
    width = 0.8 / len(TICKET_TARGETS)
    for index, (key, label) in enumerate(TICKET_TARGETS):
        phases = [figures.get(f"{key}_{n}") for n in counts]
        if not all(phases):
            continue
        offsets = [c + (index - len(TICKET_TARGETS) / 2 + 0.5) * width for c in range(len(counts))]
        ax_rate.bar(offsets, [p["per_s"] for p in phases], width, label=label)
        ax_p99.bar(offsets, [p["p99_ms"] for p in phases], width, label=label)
    for ax, title, unit in ((ax_rate, "Tickets vs bare hello: throughput", "requests/s"),
                            (ax_p99, "Tickets vs bare hello: p99 latency", "ms (log)")):
        ax.set_xticks(range(len(counts)), [f"{n} kiosk{'s' if n > 1 else ''}" for n in counts])
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.legend(fontsize=7)
    ax_p99.set_yscale("log")
    return None


def _migration(ax: Any, results: dict[str, Any]) -> None:
    figures = _figures(results, "migration_bench")
    if figures is None:
        return _missing(ax, "Migration end to end")
    backends = [b for b in ("sqlite", "postgresql") if b in figures]
    parts = [("challenge", "#aec7e8"), ("card signature", "#ffbb78"), ("submit: HTTP, auth, idempotency, audit",
                                                                        "#98df8a"), ("submit: verification", "#d62728")]
    bottoms = [0.0] * len(backends)
    for label, color in parts:
        values = []
        for backend in backends:
            f = figures[backend]
            verification = f["server_verification"]["verification_total_ms"]
            values.append({"challenge": f["challenge_ms"], "card signature": f["card_signature_ms"],
                           "submit: verification": verification}.get(label, max(0.0, f["submit_ms"] - verification)))
        ax.bar(backends, values, bottom=bottoms, color=color, label=label)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.bar([f"{b}\nhealth" for b in backends], [figures[b]["baseline_health_ms"] for b in backends], color="#999999",
           label="baseline: GET /health")
    ax.set_title("Migration end to end (medians)")
    ax.set_ylabel("ms")
    ax.legend(fontsize=7)
    return None


def write_chart(results: dict[str, Any], path: Path) -> Path:
    """Draw every panel into one PNG at `path`."""
    fig, axes = plt.subplots(3, 2, figsize=(13, 13))
    _start(axes[0][0], results)
    _card(axes[0][1], results)
    _tickets(axes[1][0], axes[1][1], results)
    _migration(axes[2][0], results)
    axes[2][1].set_axis_off()
    axes[2][1].text(0.0, 0.9, "Machine:\n" + machine_description().replace("; ", ";\n"), fontsize=9, va="top",
                    wrap=True)
    fig.suptitle("make bench: each figure against a baseline measured in the same run")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path

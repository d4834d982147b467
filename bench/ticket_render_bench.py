"""Ticket image render benchmark: median of N renders and PNG writes, against baselines from the same run.

Baselines: a same-size 1-bit image holding one text line in the same font, and the QR code alone.
    python -m bench.ticket_render_bench
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from PIL import Image, ImageDraw

from kiosk.printer import FilePrinter, TicketPrint, TicketRenderer

RUNS = 100
WARMUP = 3
SAMPLE = TicketPrint(
    number="M-007",
    service_ja="利用者登録・更新",
    service_en="Library card registration / renewal",
    issued_at=datetime(2025, 1, 15, 1, 42, tzinfo=UTC),
    people_ahead=3,
    wait_minutes=15,
    status_url="https://queue.library.pref.saga.example/t/2025-01-15/M-007?k=Q8xZ3v",
)


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of fn in milliseconds, after a few untimed warm-up calls (font loading)."""
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(runs: int = RUNS) -> dict[str, float]:
    """Run the benchmark, print the figures, and return them."""
    renderer = TicketRenderer(576)
    ticket_img = renderer.render_ticket(SAMPLE)
    size = ticket_img.size
    font = renderer.fonts.face(28, bold=True)

    def text_line_only() -> Image.Image:
        img = Image.new("L", size, 255)
        ImageDraw.Draw(img).text((16, 16), "佐賀県立図書館 M-007", font=font, fill=0)
        return img.convert("1")

    with tempfile.TemporaryDirectory() as tmp:
        printer = FilePrinter(tmp)
        figures = {
            "render_ms": median_ms(lambda: renderer.render_ticket(SAMPLE), runs),
            "png_write_ms": median_ms(lambda: printer.print_image(ticket_img, label=SAMPLE.number), runs),
            "baseline_text_line_ms": median_ms(text_line_only, runs),
            "baseline_qr_only_ms": median_ms(lambda: renderer.qr_image(SAMPLE.status_url, 228), runs),
        }
    figures["render_vs_text_line"] = figures["render_ms"] / figures["baseline_text_line_ms"]
    figures["render_vs_qr_only"] = figures["render_ms"] / figures["baseline_qr_only_ms"]
    figures["runs"] = float(runs)

    print(f"ticket image {size[0]}x{size[1]} dots, median of {runs} runs")
    print(f"  render ticket            {figures['render_ms']:7.2f} ms")
    print(f"  write PNG (file backend) {figures['png_write_ms']:7.2f} ms")
    print(f"  baseline: one text line  {figures['baseline_text_line_ms']:7.2f} ms"
          f"   render = {figures['render_vs_text_line']:.1f}x")
    print(f"  baseline: QR code only   {figures['baseline_qr_only_ms']:7.2f} ms"
          f"   render = {figures['render_vs_qr_only']:.1f}x")
    return figures


if __name__ == "__main__":
    main()

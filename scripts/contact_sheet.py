"""A contact sheet of every patron screen in Japanese, from the every-screen test's screenshots.

    .venv/bin/python -m scripts.contact_sheet var/test-artifacts/screens/every docs/screens-after.png

tests/ui/test_every_screen.py shoots each screen in every language into one directory; this lays the Japanese
ones out as labelled thumbnails, in the order a patron meets them (docs/design-system.md shows two: before and
after the design system).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# The order of tests/ui/test_every_screen.py: the migration, the expiry check and a ticket, the check-up.
ORDER = ("attract", "migrate_intro", "migrate_consent", "card_number-migrate", "migrate_same_pin", "pin_pad-text",
         "pin_pad-auth", "last_try", "migrate_result-completed", "expiry_method", "card_number-expiry",
         "expiry_result-expired", "ticket_result-printed", "ticket_service", "checkup_intro",
         "checkup_result-old-expired", "privacy_slip")
THUMB = (400, 250)
COLUMNS = 4
LABEL_H = 26
GAP = 8


def japanese_shots(directory: Path) -> list[tuple[str, Path]]:
    """(screen, file) of each Japanese screenshot (``<screen>-ja.png``; the attract screen has no suffix)."""
    found = {p.stem.removesuffix("-ja"): p for p in directory.glob("*.png")
             if p.stem.endswith("-ja") or p.stem == "attract"}
    known = [name for name in ORDER if name in found]
    return [(name, found[name]) for name in known + sorted(set(found) - set(known))]


def sheet(shots: list[tuple[str, Path]]) -> Image.Image:
    rows = (len(shots) + COLUMNS - 1) // COLUMNS
    cell_w, cell_h = THUMB[0] + GAP, THUMB[1] + LABEL_H + GAP
    out = Image.new("RGB", (COLUMNS * cell_w + GAP, rows * cell_h + GAP), (255, 255, 255))
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=18)
    for i, (name, path) in enumerate(shots):
        x, y = GAP + (i % COLUMNS) * cell_w, GAP + (i // COLUMNS) * cell_h
        with Image.open(path) as shot:
            out.paste(shot.convert("RGB").resize(THUMB, Image.Resampling.LANCZOS), (x, y))
        draw.rectangle((x - 1, y - 1, x + THUMB[0], y + THUMB[1]), outline=(150, 150, 150))
        draw.text((x, y + THUMB[1] + 4), name, fill=(30, 30, 30), font=font)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    shots = japanese_shots(Path(argv[0]))
    if not shots:
        print(f"no Japanese screenshots in {argv[0]}", file=sys.stderr)
        return 1
    # A palette image: the screens are flat colours, and the docs want it small.
    sheet(shots).quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(argv[1], optimize=True)
    print(f"wrote {argv[1]} ({len(shots)} screens)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

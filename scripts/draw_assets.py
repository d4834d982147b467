"""Draw the kiosk's illustrations (run once; the PNGs are committed under assets/images/).

    .venv/bin/python -m scripts.draw_assets

Drawn in code so their origin is plain and a library can restyle them: a card reader on the
kiosk's shelf with a My Number card laid flat on it, and an arrow showing where it goes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "assets" / "images"
INK = (20, 40, 80)
READER = (60, 66, 78)
CARD = (236, 242, 250)
ACCENT = (214, 80, 40)


def place_card(size: tuple[int, int] = (520, 360)) -> Image.Image:
    """A reader seen from above, a card on it, an arrow pointing down onto it."""
    scale = 3  # draw large, then shrink: smooth edges without anti-aliasing support in ImageDraw
    w, h = size[0] * scale, size[1] * scale
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # The reader: a dark slab with a lighter landing area.
    d.rounded_rectangle((w * 0.18, h * 0.42, w * 0.82, h * 0.95), radius=40 * scale // 3, fill=READER)
    d.rounded_rectangle((w * 0.24, h * 0.48, w * 0.76, h * 0.89), radius=28 * scale // 3, fill=(92, 100, 116))
    # The card: ID-1 proportions (85.6 x 54 mm), slightly above the landing area.
    cw = w * 0.46
    ch = cw * 54 / 85.6
    x0, y0 = (w - cw) / 2, h * 0.50
    d.rounded_rectangle((x0, y0, x0 + cw, y0 + ch), radius=18 * scale // 3, fill=CARD, outline=INK, width=3 * scale)
    # A chip and a photo box, so it reads as an ID card.
    d.rounded_rectangle((x0 + cw * 0.08, y0 + ch * 0.32, x0 + cw * 0.22, y0 + ch * 0.52), radius=6 * scale,
                        fill=(212, 175, 55))
    d.rectangle((x0 + cw * 0.70, y0 + ch * 0.18, x0 + cw * 0.92, y0 + ch * 0.78), fill=(200, 210, 225))
    for i in range(3):
        y = y0 + ch * (0.22 + i * 0.18)
        d.rectangle((x0 + cw * 0.30, y, x0 + cw * 0.62, y + ch * 0.06), fill=(170, 180, 198))
    # The arrow: down onto the card.
    ax = w / 2
    d.rectangle((ax - 14 * scale, h * 0.05, ax + 14 * scale, h * 0.30), fill=ACCENT)
    d.polygon([(ax - 44 * scale, h * 0.28), (ax + 44 * scale, h * 0.28), (ax, h * 0.44)], fill=ACCENT)
    return img.resize(size, Image.Resampling.LANCZOS)


def main() -> None:
    """Write every illustration."""
    OUT.mkdir(parents=True, exist_ok=True)
    place_card().save(OUT / "place_card.png")
    print(f"wrote {OUT / 'place_card.png'}")


if __name__ == "__main__":
    main()

"""Draw the kiosk's illustrations (run once; the PNGs are committed under assets/images/).

    .venv/bin/python -m scripts.draw_assets

Drawn in code so their origin is plain and a library can restyle them: a card reader on the
kiosk's shelf with a My Number card laid flat on it, and an arrow showing where it goes (place_card.png); the
reader and the card apart (reader.png, card.png, on one canvas size), which the "place your card" steps
lay over each other and move (screens/place_card.py).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.a11y import design, palette
from scripts.asset_colours import ACCENT, CARD, INK, READER
from scripts.draw_take_card import take_card

OUT = Path(__file__).resolve().parent.parent / "assets" / "images"
PAD = (92, 100, 116)
OUTLINE = (225, 232, 242)
LAMP = (70, 200, 110)


SCALE = 3  # draw large, then shrink: smooth edges without anti-aliasing support in ImageDraw
# The reader and the card share one canvas size: the screens lay the two images over each other, and the card's
# image, at rest, shows the card lying on the reader's landing area (screens/place_card.py moves it onto it).
CANVAS = (520, 400)
LANDING = (0.27, 0.50, 0.73, 0.87)  # the landing area, in fractions of the canvas (left, top, right, bottom)


def _box(frac: tuple[float, float, float, float], w: int, h: int) -> tuple[float, float, float, float]:
    return frac[0] * w, frac[1] * h, frac[2] * w, frac[3] * h


def _reader_on(img: Image.Image) -> None:
    """A reader seen from above: a dark slab, its landing area with the card's outline dashed, the contactless
    sign, and its lamp."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    # A light edge: the slab stands out on the high-contrast theme's black page too.
    d.rounded_rectangle((w * 0.16, h * 0.42, w * 0.84, h * 0.96), radius=14 * SCALE, fill=READER, outline=OUTLINE,
                        width=2 * SCALE)
    x0, y0, x1, y1 = _box(LANDING, w, h)
    d.rounded_rectangle((x0 - 8 * SCALE, y0 - 8 * SCALE, x1 + 8 * SCALE, y1 + 8 * SCALE), radius=12 * SCALE,
                        fill=PAD)
    # The card's footprint, dashed: where the card goes.
    dash, gap = 14 * SCALE, 9 * SCALE
    for xa, ya, xb, yb in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
        length = max(xb - xa, yb - ya)
        t = 0.0
        while t < length:
            u = min(t + dash, length)
            if xa == xb:
                d.line((xa, ya + t, xa, ya + u), fill=OUTLINE, width=3 * SCALE)
            else:
                d.line((xa + t, ya, xa + u, ya), fill=OUTLINE, width=3 * SCALE)
            t += dash + gap
    # The contactless sign: three arcs.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for i, r in enumerate((14, 26, 38)):
        rr = r * SCALE
        d.arc((cx - rr - 20 * SCALE, cy - rr, cx + rr - 20 * SCALE, cy + rr), start=-45, end=45, fill=OUTLINE,
              width=(5 - i) * SCALE)
    # The lamp that lights while the card is read.
    d.ellipse((w * 0.78 - 7 * SCALE, h * 0.91 - 7 * SCALE, w * 0.78 + 7 * SCALE, h * 0.91 + 7 * SCALE), fill=LAMP)


def _card_on(img: Image.Image) -> None:
    """A My Number card (ID-1 proportions, 85.6 x 54 mm) lying on the landing area."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = _box(LANDING, w, h)
    cw = x1 - x0
    ch = cw * 54 / 85.6
    y0 = (y0 + y1) / 2 - ch / 2
    # A shadow, so it reads as lying on the reader.
    d.rounded_rectangle((x0 + 5 * SCALE, y0 + 6 * SCALE, x0 + cw + 5 * SCALE, y0 + ch + 6 * SCALE), radius=6 * SCALE,
                        fill=(0, 0, 0, 90))
    d.rounded_rectangle((x0, y0, x0 + cw, y0 + ch), radius=6 * SCALE, fill=CARD, outline=INK, width=3 * SCALE)
    d.rounded_rectangle((x0 + cw * 0.08, y0 + ch * 0.34, x0 + cw * 0.22, y0 + ch * 0.54), radius=2 * SCALE,
                        fill=(212, 175, 55))
    d.rectangle((x0 + cw * 0.70, y0 + ch * 0.18, x0 + cw * 0.92, y0 + ch * 0.78), fill=(200, 210, 225))
    for i in range(3):
        y = y0 + ch * (0.22 + i * 0.18)
        d.rectangle((x0 + cw * 0.30, y, x0 + cw * 0.62, y + ch * 0.06), fill=(170, 180, 198))


def _shrunk(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    return img.resize(size, Image.Resampling.LANCZOS)


def reader(size: tuple[int, int] = CANVAS) -> Image.Image:
    """The reader alone (the card's image goes over it)."""
    img = Image.new("RGBA", (size[0] * SCALE, size[1] * SCALE), (0, 0, 0, 0))
    _reader_on(img)
    return _shrunk(img, size)


def card(size: tuple[int, int] = CANVAS) -> Image.Image:
    """The card alone, where it lies on the reader (transparent elsewhere)."""
    img = Image.new("RGBA", (size[0] * SCALE, size[1] * SCALE), (0, 0, 0, 0))
    _card_on(img)
    return _shrunk(img, size)


def place_card(size: tuple[int, int] = CANVAS) -> Image.Image:
    """The reader with the card on it and an arrow pointing down onto it: the still picture."""
    img = Image.new("RGBA", (size[0] * SCALE, size[1] * SCALE), (0, 0, 0, 0))
    _reader_on(img)
    _card_on(img)
    w, h = img.size
    d = ImageDraw.Draw(img)
    ax = w / 2
    d.rectangle((ax - 14 * SCALE, h * 0.04, ax + 14 * SCALE, h * 0.30), fill=ACCENT)
    d.polygon([(ax - 44 * SCALE, h * 0.28), (ax + 44 * SCALE, h * 0.28), (ax, h * 0.44)], fill=ACCENT)
    return _shrunk(img, size)


def signs(size: int = 120) -> Image.Image:
    """The three status signs side by side, from the same points the screens draw them with
    (kiosk/a11y/design.py), in both palettes: the standard one above, high contrast below (for the docs)."""
    kinds = list(design.SIGNS)
    w, h = size * len(kinds) * SCALE, size * 2 * SCALE
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    for row, colours in enumerate((palette.STANDARD, palette.HIGH_CONTRAST)):
        def rgb(name: str, colours: dict[str, palette.Colour] = colours) -> tuple[int, ...]:
            return tuple(round(c * 255) for c in colours[name][:3])

        top = row * size * SCALE
        d.rectangle((0, top, w, top + size * SCALE), fill=rgb("C_BG"))
        for i, kind in enumerate(kinds):
            r = size * SCALE * 0.38
            cx, cy = (i + 0.5) * size * SCALE, top + size * SCALE / 2

            def flip(p: tuple[float, float], cy: float = cy) -> tuple[float, float]:
                return p[0], 2 * cy - p[1]  # the design's points are y upwards, as Kivy draws

            d.polygon([flip(p) for p in design.sign_outline(kind, cx, cy, r)], fill=rgb(design.SIGNS[kind][2]))
            strokes, dots = design.sign_mark(kind, cx, cy, r)
            width = design.stroke_width(r)
            for stroke in strokes:
                d.line([flip(p) for p in stroke], fill=rgb("C_ON_SIGN"), width=round(width * 2), joint="curve")
            for x, y in dots:
                y = 2 * cy - y
                d.ellipse((x - width * 1.1, y - width * 1.1, x + width * 1.1, y + width * 1.1), fill=rgb("C_ON_SIGN"))
    return _shrunk(img, (w // SCALE, h // SCALE))


def main() -> None:
    """Write every illustration."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in (("place_card", place_card), ("reader", reader), ("card", card), ("signs", signs)):
        draw().save(OUT / f"{name}.png", optimize=True)
        print(f"wrote {OUT / name}.png")

    take_card().save(OUT / "take_card.png")
    print(f"wrote {OUT / 'take_card.png'}")


if __name__ == "__main__":
    main()

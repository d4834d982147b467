"""The "take your card" illustration of the card-left banner (screens/card_left.py), drawn in code like the
others in scripts/draw_assets.py (which writes it with them):

    .venv/bin/python -m scripts.draw_assets

The reader from above with the empty landing area outlined where the card lay, the card lifted off it up and
to the right, tilted as a hand takes it, and an arrow from the reader to the card: take it away.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from scripts.asset_colours import ACCENT, CARD, INK, READER

LANDING = (92, 100, 116)
OUTLINE = (200, 206, 216)


def _card(width: int, scale: int) -> Image.Image:
    """A My Number card (ID-1, 85.6 x 54 mm) on a layer of its own, to be tilted."""
    ch = int(width * 54 / 85.6)
    pad = 4 * scale
    img = Image.new("RGBA", (width + 2 * pad, ch + 2 * pad), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    x0, y0 = pad, pad
    d.rounded_rectangle((x0, y0, x0 + width, y0 + ch), radius=6 * scale, fill=CARD, outline=INK, width=3 * scale)
    d.rounded_rectangle((x0 + width * 0.08, y0 + ch * 0.32, x0 + width * 0.22, y0 + ch * 0.52), radius=2 * scale,
                        fill=(212, 175, 55))
    d.rectangle((x0 + width * 0.70, y0 + ch * 0.18, x0 + width * 0.92, y0 + ch * 0.78), fill=(200, 210, 225))
    for i in range(3):
        y = y0 + ch * (0.22 + i * 0.18)
        d.rectangle((x0 + width * 0.30, y, x0 + width * 0.62, y + ch * 0.06), fill=(170, 180, 198))
    return img


def _dashed_box(d: ImageDraw.ImageDraw, box: tuple[float, float, float, float], dash: float, width: int) -> None:
    """The outline of where the card lay: dashes along each side."""
    x0, y0, x1, y1 = box
    for a, b, horizontal, at in ((x0, x1, True, y0), (x0, x1, True, y1), (y0, y1, False, x0), (y0, y1, False, x1)):
        pos = a
        while pos < b:
            end = min(pos + dash, b)
            d.line((pos, at, end, at) if horizontal else (at, pos, at, end), fill=OUTLINE, width=width)
            pos += dash * 2


def take_card(size: tuple[int, int] = (520, 360)) -> Image.Image:
    """The card leaving the reader, with an arrow pointing up and away from it."""
    scale = 3  # draw large, then shrink: smooth edges without anti-aliasing support in ImageDraw
    w, h = size[0] * scale, size[1] * scale
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # The reader, lower left: the same slab and landing area as the place-the-card picture.
    rx0, ry0, rx1, ry1 = w * 0.04, h * 0.46, w * 0.60, h * 0.96
    d.rounded_rectangle((rx0, ry0, rx1, ry1), radius=13 * scale, fill=READER)
    d.rounded_rectangle((rx0 + w * 0.05, ry0 + h * 0.06, rx1 - w * 0.05, ry1 - h * 0.06), radius=9 * scale,
                        fill=LANDING)
    # Where the card lay, now empty.
    cw = w * 0.36
    ch = cw * 54 / 85.6
    cx, cy = (rx0 + rx1) / 2, (ry0 + ry1) / 2
    _dashed_box(d, (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2), dash=10 * scale, width=3 * scale)
    # The arrow: from the reader up and to the right, towards the card in the patron's hand.
    tail, head = (w * 0.24, h * 0.52), (w * 0.42, h * 0.20)
    d.line((*tail, *head), fill=ACCENT, width=28 * scale)
    ux, uy = head[0] - tail[0], head[1] - tail[1]
    length = (ux * ux + uy * uy) ** 0.5
    ux, uy = ux / length, uy / length
    tip = (head[0] + ux * 44 * scale, head[1] + uy * 44 * scale)
    side = (-uy * 40 * scale, ux * 40 * scale)
    d.polygon([tip, (head[0] + side[0], head[1] + side[1]), (head[0] - side[0], head[1] - side[1])], fill=ACCENT)
    # The card, lifted off up and to the right, tilted as it is taken.
    card = _card(int(w * 0.38), scale).rotate(14, resample=Image.Resampling.BICUBIC, expand=True)
    img.alpha_composite(card, (int(w * 0.97 - card.width), int(h * 0.02)))
    return img.resize(size, Image.Resampling.LANCZOS)

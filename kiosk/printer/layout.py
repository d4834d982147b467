"""A small top-to-bottom layout for printed slips: blocks of wrapped text, rules, images, two columns.

Everything is drawn black on white in 8-bit grey and made 1-bit once at the end, so what the file
backend saves is exactly what the thermal head prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from kiosk.printer.fonts import FontFiles

Align = Literal["left", "center", "right"]

# Grey levels darker than this print as black: a little above mid-grey keeps thin strokes whole.
_THRESHOLD = 170
_LUT = [0 if v < _THRESHOLD else 255 for v in range(256)]
# CJK glyphs sit in an em box from 0.88 em above the baseline; Latin descenders reach ~0.22 em below.
_BASELINE = 0.95
_LINE_HEIGHT = 1.25
# Each CJK or full-width character may start a new line; Latin words wrap whole.
_TOKENS = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+")


@dataclass(frozen=True)
class Text:
    """One paragraph: wrapped to the space it gets, at a pixel size."""

    text: str
    size: int
    bold: bool = False


class Slip:
    """Collects blocks top to bottom and renders them into one 1-bit image `width` dots wide."""

    def __init__(self, width: int, fonts: FontFiles, margin: int) -> None:
        self.width = width
        self.fonts = fonts
        self.margin = margin
        self._blocks: list[Image.Image] = []

    @property
    def inner_width(self) -> int:
        """Width available between the side margins."""
        return self.width - 2 * self.margin

    def text(self, *paragraphs: Text, align: Align = "center") -> None:
        """Paragraphs stacked, wrapped to the inner width."""
        self._add(self.stack(paragraphs, self.inner_width, align), align)

    def fitted(self, text: str, max_size: int, *, bold: bool = True, frame: int = 0) -> None:
        """One line as large as fits the inner width (up to max_size), optionally inside a frame."""
        pad = 3 * frame
        room = self.inner_width - 2 * (frame + pad)
        # Text width grows about linearly with size: jump near the answer, then step down to be exact.
        natural = self.fonts.face(max_size, bold=bold).getlength(text)
        size = min(max_size, int(max_size * room / max(natural, 1)))
        while size > 8 and self.fonts.face(size, bold=bold).getlength(text) > room:
            size -= 1
        block = self.stack([Text(text, size, bold)], room, "center")
        if frame:
            framed = Image.new("L", (self.inner_width, block.height + 2 * (frame + pad)), 255)
            framed.paste(block, (frame + pad, frame + pad))
            ImageDraw.Draw(framed).rounded_rectangle(
                (0, 0, framed.width - 1, framed.height - 1), radius=4 * frame, outline=0, width=frame
            )
            block = framed
        self._add(block, "center")

    def columns(self, left: Sequence[Text], right: Sequence[Text], *, gap: int = 12) -> None:
        """Left-aligned paragraphs beside right-aligned ones; the right side gets what the left leaves."""
        left_img = self.stack(left, self.inner_width // 2, "left")
        left_used = max(_ink_width(left_img), 1)
        right_img = self.stack(right, self.inner_width - left_used - gap, "right")
        block = Image.new("L", (self.inner_width, max(left_img.height, right_img.height)), 255)
        block.paste(left_img, (0, 0))
        block.paste(right_img, (self.inner_width - right_img.width, 0))
        self._add(block, "left")

    def beside(self, image: Image.Image, right: Sequence[Text], *, gap: int = 12) -> None:
        """An image on the left with paragraphs to its right, centred vertically against it."""
        text_img = self.stack(right, self.inner_width - image.width - gap, "left")
        block = Image.new("L", (self.inner_width, max(image.height, text_img.height)), 255)
        block.paste(image.convert("L"), (0, (block.height - image.height) // 2))
        block.paste(text_img, (image.width + gap, (block.height - text_img.height) // 2))
        self._add(block, "left")

    def image(self, image: Image.Image, align: Align = "center") -> None:
        """An image as is (a QR code must not be scaled here: its modules are whole dots)."""
        self._add(image.convert("L"), align)

    def rule(self, thickness: int = 2, *, dashed: bool = False) -> None:
        """A horizontal line across the inner width, with a little air above and below."""
        air = 10
        block = Image.new("L", (self.inner_width, thickness + 2 * air), 255)
        draw = ImageDraw.Draw(block)
        if dashed:
            for x in range(0, self.inner_width, 12):
                draw.rectangle((x, air, min(x + 7, self.inner_width - 1), air + thickness - 1), fill=0)
        else:
            draw.rectangle((0, air, self.inner_width - 1, air + thickness - 1), fill=0)
        self._add(block, "left")

    def space(self, height: int) -> None:
        """Vertical white space."""
        self._blocks.append(Image.new("L", (self.width, height), 255))

    def render(self) -> Image.Image:
        """Stack the blocks into one 1-bit image."""
        height = sum(b.height for b in self._blocks)
        canvas = Image.new("L", (self.width, height), 255)
        y = 0
        for block in self._blocks:
            canvas.paste(block, (0, y))
            y += block.height
        return canvas.point(_LUT, "1")

    def stack(self, paragraphs: Sequence[Text], width: int, align: Align) -> Image.Image:
        """Render paragraphs, wrapped to width, into a grey image exactly width dots wide."""
        lines: list[tuple[str, Text]] = []
        for p in paragraphs:
            font = self.fonts.face(p.size, bold=p.bold)
            lines.extend((line, p) for line in wrap(p.text, font, width))
        height = sum(round(p.size * _LINE_HEIGHT) for _, p in lines)
        img = Image.new("L", (max(width, 1), max(height, 1)), 255)
        draw = ImageDraw.Draw(img)
        y = 0
        for line, p in lines:
            font = self.fonts.face(p.size, bold=p.bold)
            x, anchor = {"left": (0, "ls"), "center": (width // 2, "ms"), "right": (width, "rs")}[align]
            stroke = max(1, p.size // 28) if self.fonts.needs_fake_bold(p.bold) else 0
            draw.text((x, y + round(p.size * _BASELINE)), line, font=font, fill=0, anchor=anchor,
                      stroke_width=stroke, stroke_fill=0)
            y += round(p.size * _LINE_HEIGHT)
        return img

    def _add(self, block: Image.Image, align: Align) -> None:
        row = Image.new("L", (self.width, block.height), 255)
        x = {"left": self.margin, "center": (self.width - block.width) // 2,
             "right": self.width - self.margin - block.width}[align]
        row.paste(block, (x, 0))
        self._blocks.append(row)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy line breaking: Latin words stay whole unless longer than a line, CJK breaks anywhere."""
    getlength = font.getlength
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        if token.isspace() and not current:
            continue
        if getlength(current + token.rstrip()) <= width:
            current += token
            continue
        if current:
            lines.append(current.rstrip())
            current = ""
        token = token.lstrip()
        # A single word wider than the line is broken by character rather than clipped.
        while getlength(token.rstrip()) > width and len(token) > 1:
            cut = len(token) - 1
            while cut > 1 and getlength(token[:cut]) > width:
                cut -= 1
            lines.append(token[:cut])
            token = token[cut:]
        current = token
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _ink_width(img: Image.Image) -> int:
    """Width from the left edge to the rightmost dark pixel."""
    bbox = Image.eval(img, lambda v: 255 - v).getbbox()
    return bbox[2] if bbox else 0

"""The patron screens' design system: one type scale, one spacing scale, the sizes of controls, the button
kinds and the shapes of the status signs. The kv rules read these tokens (screens/design.py installs them under
the names below), never a number of their own; docs/design-system.md shows them.

Sizes are physical: type in points (app.pt, which also applies the session's large-text factor) and lengths in
millimetres (app.mm), so 20 mm stays 20 mm on any panel. The colours are kiosk/a11y/palette.py's: high contrast
is another palette under the same names, large text another factor on the same type scale.

Kivy-free: the sign shapes are plain points, drawn by the screens and checked by the unit tests.
"""

from __future__ import annotations

import math

# -- type scale (points) ---------------------------------------------------------------------------------
TYPE: dict[str, float] = {
    "T_NUMBER": 96,  # a queue ticket's number, the one thing a patron must leave with
    "T_NUMBER_LARGE": 56,  # the same in large text, where the lines around it grow
    "T_REFERENCE": 80,  # a registration application's reference, read out at the counter
    "T_REFERENCE_LARGE": 64,  # the same in large text
    "T_DISPLAY": 44,  # one thing to read from a step back: the PIN's dots
    "T_ALERT": 40,  # a warning's title (the last PIN try); a typed card number
    "T_SERVICE": 28,  # a service on the attract screen
    "T_TITLE": 32,  # a screen's title, a result's headline
    "T_LEAD": 24,  # what to do next, under a result's headline
    "T_BUTTON": 22,  # every button's label
    "T_BODY": 20,  # running text
    "T_DETAIL": 18,  # the details under a result's headline and next step
    "T_SECOND_LANGUAGE": 18,  # the attract screen's second language, under the first
    "T_BANNER": 30,  # the take-your-card banner's title (kept short of T_TITLE: the screen is pushed down)
    "T_BANNER_2": 22,  # its title in the second language
    "T_HINT": 16,  # a hint beside a control (T_BODY in large text, as the details: see DETAIL_LARGE)
    "T_KEY": 30,  # a number pad's digits (not scaled by large text: the pad would leave the seated reach)
    "T_KEY_WORD": 18,  # a card-number pad key with a word (全部消す, 1字消す)
    "T_PIN_WORD": 20,  # the PIN pad's 訂正 and 決定
}

# -- spacing scale and control sizes (millimetres) -------------------------------------------------------
SPACE: dict[str, float] = {
    "S_PAGE_X": 10,  # a screen's left and right margin
    "S_PAGE_Y": 8,  # its top and bottom margin
    "S_GAP_XXL": 8,  # between a field and its pad; a dialog's margin
    "S_GAP_XL": 6,  # between big choice buttons; a toast's margin; a button label's inset
    "S_GAP_L": 5,  # between a result's blocks
    "S_GAP": 4,  # between a screen's blocks; between buttons of a row
    "S_GAP_S": 3,  # between lines that belong together
    "S_GAP_XS": 2,  # between the keys of a pad
}
SIZE: dict[str, float] = {
    "Z_TARGET": 15,  # the smallest touch target anywhere (the every-screen test checks it)
    "Z_KEY": 20,  # a PIN pad key's height: the pad is the PIN screen's main object
    "Z_PIN_KEY_W": 32,  # and its width
    "Z_PAD_KEY": 16,  # a card-number pad key's least height (the pad shares its screen with the scanner's hint)
    "Z_PAD_KEY_W": 28,  # and its width
    "Z_CHOICE": 22,  # a big choice button (同じ / 違う, with the card / without)
    "Z_CHOICE_L": 24,  # the expiry check's two ways
    "Z_SERVICE": 30,  # a service button on the attract screen
    "Z_PANEL_ROW": 20,  # a row of the accessibility panel; the attract screen's corner icon
    "Z_SECONDARY_W": 40,  # a secondary button's least width
    "Z_SUBMIT_W": 60,  # the send button beside a pad (the registration's contact screen)
    "Z_TOAST": 40,
    "Z_STEP_STUB": 3,  # the step indicator: the least room for a line on to the next step
    "Z_STEP_LINE": 0.3,  # that line
    "Z_STEP_RING": 0.4,  # the ring of a step not current
    "Z_BANNER": 40,  # the take-your-card banner's least height
    "Z_BANNER_PICTURE_W": 46,  # its picture of the card leaving the reader
    "Z_BANNER_PICTURE_H": 32,
    "Z_BANNER_LINE": 1,  # its frame
    "Z_FOOTER": 18,  # the step footer (back, staff, accessibility, language)
    "Z_SIGN": 24,  # a result's status sign
    "Z_SIGN_SMALL": 12,  # the sign in a warning band
    "Z_SPINNER": 16,
    "Z_SPINNER_LINE": 1.2,
    "Z_BAND_LINE": 0.8,  # the frame of a warning band
    "Z_SCROLL_BAR": 2,  # the bar beside details that scroll (shown, not faded: there is more below)
    "Z_SCROLL_LEAST": 12,  # the least height they show in (a line of large text): less shows nothing
    "Z_LINE": 1.5,  # outline of a secondary button or a key (px, not mm: a hairline that stays crisp)
}

#: Large text: the session's factor on the type scale (screens/app.py's LARGE_TEXT is this).
LARGE_TEXT = 1.3
#: Details and hints grow to body size in large text rather than by the factor: 1.3 x 16 pt would miss the
#: 6.1 mm capital letter EN 301 549 5.1.4 asks at 500 mm (and 1.3 x 18 pt is about the same as this).
DETAIL_LARGE = TYPE["T_BODY"]

# -- button kinds ------------------------------------------------------------------------------------------
#: kv class per kind, with the palette colours of its fill, its text and its outline (None: no outline).
BUTTON_KINDS: dict[str, tuple[str, str, str, str | None]] = {
    # kind: (kv class, fill, text, outline)
    "primary": ("KioskButton", "C_PRIMARY", "C_ON_PRIMARY", None),  # the step's one way on
    "secondary": ("SecondaryButton", "C_SECONDARY_BG", "C_PRIMARY", "C_PRIMARY"),  # another way (footer)
    "danger": ("DangerButton", "C_ERROR", "C_ON_PRIMARY", None),  # cannot be undone (the last PIN try)
    "quiet": ("QuietButton", "C_BG", "C_PRIMARY", "C_MUTED"),  # offered, not urged (送信した情報)
}

# -- status signs ------------------------------------------------------------------------------------------
#: A result's sign: its shape, its mark and its palette colour. Distinct in shape as well as colour.
SIGNS: dict[str, tuple[str, str, str]] = {
    "done": ("circle", "check", "C_DONE"),
    "attention": ("triangle", "exclamation", "C_ATTENTION"),
    "failed": ("octagon", "cross", "C_FAILED"),
}

Point = tuple[float, float]


def sign_outline(kind: str, cx: float, cy: float, r: float) -> list[Point]:
    """The filled shape of sign ``kind`` centred on (cx, cy) within radius ``r``, y upwards (as Kivy draws)."""
    shape = SIGNS[kind][0]
    if shape == "circle":
        n, start = 48, 0.0
    elif shape == "triangle":
        n, start = 3, math.pi / 2  # point up
    else:
        n, start = 8, math.pi / 8  # flat top and bottom, like a stop sign
    # A triangle looks smaller than a circle of the same radius: a larger one, moved down so that its box (not
    # its centroid) is centred, as wide as the circle.
    k = 1.12 if shape == "triangle" else 1.0
    dy = k * r / 4 if shape == "triangle" else 0.0
    step = 2 * math.pi / n
    return [(cx + k * r * math.cos(start + step * i), cy - dy + k * r * math.sin(start + step * i)) for i in range(n)]


def sign_mark(kind: str, cx: float, cy: float, r: float) -> tuple[list[list[Point]], list[Point]]:
    """The mark inside the sign: (strokes, dots), each stroke a polyline, each dot a centre."""
    mark = SIGNS[kind][1]
    if mark == "check":
        return [[(cx - 0.45 * r, cy + 0.02 * r), (cx - 0.12 * r, cy - 0.32 * r), (cx + 0.48 * r, cy + 0.34 * r)]], []
    if mark == "cross":
        a = 0.38 * r
        return [[(cx - a, cy - a), (cx + a, cy + a)], [(cx - a, cy + a), (cx + a, cy - a)]], []
    return [[(cx, cy + 0.30 * r), (cx, cy - 0.28 * r)]], [(cx, cy - 0.56 * r)]


def stroke_width(r: float) -> float:
    """The mark's line width for a sign of radius ``r``."""
    return max(2.0, r * 0.13)


def tokens() -> dict[str, float]:
    """Every size token by its kv name."""
    return {**TYPE, **SPACE, **SIZE}

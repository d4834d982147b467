"""The kiosk's two colour palettes and WCAG contrast ratios.

The screens' kv rules name colours (C_BG, C_TEXT, ...); the app installs one of these palettes under
those names and rebuilds the screens when a patron switches. STANDARD meets WCAG AA (4.5:1) for every
text-on-background pair the screens draw; HIGH_CONTRAST (white and yellow on black) meets AAA (7:1).
"""

from __future__ import annotations

Colour = tuple[float, float, float, float]

STANDARD: dict[str, Colour] = {
    "C_BG": (0.97, 0.96, 0.93, 1),
    "C_TEXT": (0.08, 0.08, 0.10, 1),
    "C_PRIMARY": (0.05, 0.27, 0.55, 1),
    "C_PRIMARY_DOWN": (0.03, 0.18, 0.38, 1),
    "C_ON_PRIMARY": (1, 1, 1, 1),
    "C_SECONDARY_BG": (0.88, 0.90, 0.94, 1),
    "C_SECONDARY_DOWN": (0.75, 0.79, 0.86, 1),
    "C_KEY_BG": (0.90, 0.91, 0.94, 1),
    "C_KEY_DOWN": (0.76, 0.80, 0.88, 1),
    "C_FIELD_BG": (1, 1, 1, 1),
    "C_MUTED": (0.30, 0.30, 0.33, 1),
    "C_ERROR": (0.70, 0.05, 0.05, 1),
    "C_ERROR_DOWN": (0.5, 0.03, 0.03, 1),
    "C_WARN_BG": (0.99, 0.93, 0.80, 1),
    # The status signs (kiosk/a11y/design.py SIGNS) and the warning band, their marks and text in C_ON_SIGN.
    "C_DONE": (0.05, 0.45, 0.22, 1),
    "C_ATTENTION": (0.66, 0.36, 0.0, 1),
    "C_FAILED": (0.70, 0.05, 0.05, 1),
    "C_ON_SIGN": (1, 1, 1, 1),
}

HIGH_CONTRAST: dict[str, Colour] = {
    "C_BG": (0, 0, 0, 1),
    "C_TEXT": (1, 1, 1, 1),
    "C_PRIMARY": (1, 0.90, 0, 1),  # yellow: buttons, and text of secondary buttons
    "C_PRIMARY_DOWN": (1, 1, 0.55, 1),
    "C_ON_PRIMARY": (0, 0, 0, 1),
    "C_SECONDARY_BG": (0.12, 0.12, 0.12, 1),
    "C_SECONDARY_DOWN": (0.25, 0.25, 0.25, 1),
    "C_KEY_BG": (0.12, 0.12, 0.12, 1),
    "C_KEY_DOWN": (0.25, 0.25, 0.25, 1),
    "C_FIELD_BG": (0.15, 0.15, 0.15, 1),  # the entry box stays visible on black
    "C_MUTED": (0.85, 0.85, 0.85, 1),
    "C_ERROR": (1, 0.62, 0.62, 1),  # a light red: red on black would be too dark to read
    "C_ERROR_DOWN": (1, 0.80, 0.80, 1),
    "C_WARN_BG": (0.20, 0.13, 0, 1),
    "C_DONE": (0.40, 0.90, 0.45, 1),
    "C_ATTENTION": (1, 0.65, 0.10, 1),
    "C_FAILED": (1, 0.62, 0.62, 1),
    "C_ON_SIGN": (0, 0, 0, 1),
}

PALETTES = {"standard": STANDARD, "high_contrast": HIGH_CONTRAST}

# (foreground, background) pairs the screens draw text with.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("C_TEXT", "C_BG"), ("C_MUTED", "C_BG"), ("C_ERROR", "C_BG"), ("C_PRIMARY", "C_BG"),
    ("C_ON_PRIMARY", "C_PRIMARY"), ("C_ON_PRIMARY", "C_PRIMARY_DOWN"),
    ("C_PRIMARY", "C_SECONDARY_BG"), ("C_PRIMARY", "C_SECONDARY_DOWN"),
    ("C_TEXT", "C_KEY_BG"), ("C_TEXT", "C_KEY_DOWN"), ("C_TEXT", "C_FIELD_BG"),
    ("C_TEXT", "C_WARN_BG"), ("C_ERROR", "C_WARN_BG"),
    ("C_ON_PRIMARY", "C_ERROR"), ("C_ON_PRIMARY", "C_ERROR_DOWN"),
    ("C_ON_SIGN", "C_DONE"), ("C_ON_SIGN", "C_ATTENTION"), ("C_ON_SIGN", "C_FAILED"),
)


# (component edge, what is around it) pairs: a button's outline or fill against the page (WCAG 1.4.11: 3:1).
EDGE_PAIRS: tuple[tuple[str, str], ...] = (
    ("C_PRIMARY", "C_BG"), ("C_PRIMARY", "C_SECONDARY_BG"), ("C_MUTED", "C_BG"), ("C_MUTED", "C_KEY_BG"),
    ("C_ERROR", "C_WARN_BG"),
    ("C_DONE", "C_BG"), ("C_ATTENTION", "C_BG"), ("C_FAILED", "C_BG"),
)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: Colour) -> float:
    """WCAG relative luminance of an sRGB colour (channels 0..1)."""
    r, g, b = (_linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: Colour, background: Colour) -> float:
    """WCAG contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def worst_pair(palette: dict[str, Colour], pairs: tuple[tuple[str, str], ...] = TEXT_PAIRS) -> tuple[str, str, float]:
    """The pair (text pairs unless told) with the lowest contrast in ``palette``."""
    return min(((fg, bg, contrast(palette[fg], palette[bg])) for fg, bg in pairs), key=lambda t: t[2])

"""The design system (kiosk/a11y/design.py): one place for the patron screens' sizes, colours, button kinds and
signs, which the kv rules use instead of numbers of their own."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from kiosk.a11y import design, palette

SCREENS = Path(__file__).resolve().parents[2] / "screens"
# Staff screens are designed for staff standing at the kiosk (and the staff keyboard): not the patron system.
STAFF = ("staff_signin.kv", "staff_reprint.kv", "maintenance_home.kv")
LITERAL = re.compile(r"app\.(?:pt|mm)\(\s*[0-9.]+\s*\)")


def patron_rules() -> list[Path]:
    return sorted(p for p in SCREENS.glob("*.kv") if p.name not in STAFF)


@pytest.mark.parametrize("path", patron_rules(), ids=lambda p: p.name)
def test_a_patron_screen_sizes_with_tokens_not_numbers(path: Path) -> None:
    found = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(path.read_text().splitlines(), 1)
             if LITERAL.search(line)]
    assert found == [], "name a token of kiosk/a11y/design.py instead"


def test_every_token_a_rule_names_exists() -> None:
    names = set(design.tokens()) | {"DETAIL_LARGE"}
    used = {m for p in patron_rules() for m in re.findall(r"\b([TSZ]_[A-Z_]+)\b", p.read_text())}
    assert used - names == set()


def test_the_sizes_the_issue_asks_for() -> None:
    t = design.tokens()
    assert t["Z_TARGET"] >= 15 and t["Z_KEY"] >= 20 and t["Z_PIN_KEY_W"] >= 20
    assert t["T_TITLE"] > t["T_LEAD"] > t["T_BODY"] > t["T_DETAIL"] > t["T_HINT"], "a type scale, largest first"
    # app.pt applies large text to DETAIL_LARGE too: 26 pt, a capital of about 6.7 mm (EN 301 549 5.1.4: 6.1 mm).
    assert design.DETAIL_LARGE * design.LARGE_TEXT >= 26


@pytest.mark.parametrize("name", sorted(palette.PALETTES))
def test_every_colour_the_system_names_is_in_each_palette(name: str) -> None:
    colours = palette.PALETTES[name]
    for _shape, _mark, colour in design.SIGNS.values():
        assert colour in colours
    for _cls, *roles in design.BUTTON_KINDS.values():
        assert all(role is None or role in colours for role in roles)
    assert "C_ON_SIGN" in colours


def test_the_three_signs_differ_in_shape_and_stay_in_their_box() -> None:
    assert set(design.SIGNS) == {"done", "attention", "failed"}
    corners = {kind: len(design.sign_outline(kind, 0, 0, 1)) for kind in design.SIGNS}
    assert len(set(corners.values())) == 3, corners  # a circle, a triangle, an octagon
    assert len({mark for _s, mark, _c in design.SIGNS.values()}) == 3
    for kind in design.SIGNS:
        points = design.sign_outline(kind, 100, 50, 40)
        strokes, dots = design.sign_mark(kind, 100, 50, 40)
        for x, y in [*points, *(p for s in strokes for p in s), *dots]:
            assert abs(x - 100) <= 40.01 and abs(y - 50) <= 40.01, (kind, x, y)
        assert strokes, "every sign has a mark"


def test_the_triangle_points_up_and_the_octagon_is_flat_on_top() -> None:
    tri = design.sign_outline("attention", 0, 0, 1)
    assert max(tri, key=lambda p: p[1])[0] == pytest.approx(0, abs=1e-9), "the apex is at the top"
    octagon = design.sign_outline("failed", 0, 0, 1)
    top = sorted(octagon, key=lambda p: -p[1])[:2]
    assert top[0][1] == pytest.approx(top[1][1]) and math.isclose(abs(top[0][0]), abs(top[1][0]))

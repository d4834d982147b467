"""The colours the kiosk's drawn illustrations share (scripts/draw_assets.py, scripts/draw_take_card.py)."""

INK = (20, 40, 80)
READER = (60, 66, 78)
CARD = (236, 242, 250)
ACCENT = (214, 80, 40)

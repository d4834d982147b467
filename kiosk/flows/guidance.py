"""What the patron is told at a card stop, built from the card's profile: which PIN is locked and where that
PIN is reset, or why this card cannot be used here. Screens show the text; tests read it in every language."""

from __future__ import annotations

from kiosk import i18n
from kiosk.flows.card_steps import CardUnusable, PinBlocked


def blocked_keys(state: PinBlocked) -> tuple[str, tuple[str, ...]]:
    """(title key, body keys): which PIN is locked, then one line per way to reset it (city office first)."""
    routes = tuple(f"pin.reset.{route}" for route in state.reset_routes)
    return "migrate.result.blocked.title", (f"migrate.result.blocked.body.{state.step}", *routes)


def blocked_text(state: PinBlocked, language: str) -> tuple[str, str]:
    """(title, body) of the blocked-PIN screen in ``language``."""
    title, body = blocked_keys(state)
    return i18n.translate(title, language), "\n".join(i18n.translate(key, language) for key in body)


def unusable_text(state: CardUnusable, language: str) -> tuple[str, str]:
    """(title, body) for a My Number card the kiosk cannot use: what it is, and the 2nd-floor counter."""
    key = f"card.unusable.{state.reason}"
    return i18n.translate(f"{key}.title", language), i18n.translate(f"{key}.body", language)

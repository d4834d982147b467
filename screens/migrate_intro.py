"""First step of the MyKey migration: what will happen and what the patron needs."""

from __future__ import annotations

from screens.base import KioskScreen


class MigrateIntroScreen(KioskScreen):
    """Explains the switch to the MyKey scheme and lists what to have at hand."""

"""First step of the expiry check: the library card number, by barcode or number pad."""

from __future__ import annotations

from screens.base import KioskScreen


class ExpiryEntryScreen(KioskScreen):
    """Asks for the library card to check."""

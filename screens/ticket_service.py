"""First step of the queue ticket: which counter service the patron needs."""

from __future__ import annotations

from screens.base import KioskScreen


class TicketServiceScreen(KioskScreen):
    """Lists the counter services a ticket can be issued for."""

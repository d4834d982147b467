"""How a flow starts, and which screen shows each of its states (each flow's state table says)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.clock import library_today
from kiosk.config import KioskSettings
from kiosk.flows import checkup, common, expiry, registration, renewal, tables, ticket
from kiosk.flows import migration as mig
from kiosk.flows.runner import Flow

FLOW_FACTORIES: dict[str, Callable[[KioskSettings], Flow]] = {
    "expiry": lambda s: expiry.ExpiryFlow(s.barcode.pattern, today=library_today),
    "migrate": lambda s: mig.MigrationFlow(s.barcode.pattern, today=library_today),
    "ticket": lambda s: ticket.TicketFlow(TICKET_SERVICES),
    "checkup": lambda s: checkup.CheckupFlow(today=library_today),
    # Starts at the card number pad; another flow passes a known number with renewal.Begin (app.request_renewal).
    "renewal": lambda s: renewal.RenewalFlow(s.barcode.pattern, today=library_today),
    "registration": lambda s: registration.RegistrationFlow(today=library_today),
}
# Counter services a kiosk offers tickets for (the server names and numbers them).
TICKET_SERVICES = ("registration", "mynumber", "other")


def is_first(flow_name: str, state: Any) -> bool:
    """The flow's first step: Back leaves the flow (for the others, Back is the flow's own event)."""
    row = tables.info(flow_name, state)
    return row is not None and row.first


def is_busy(flow_name: str, state: Any) -> bool:
    """Card or server work: Back waits for the answer rather than leave mid-command."""
    row = tables.info(flow_name, state)
    return row is not None and row.busy


def route(flow_name: str, state: Any) -> tuple[str, tuple[Any, ...]]:
    """The screen for ``state`` (the flow's state table says) and the arguments of its ``render``."""
    row = tables.info(flow_name, state)
    if row is None:
        raise KeyError(f"{type(state).__name__} is not in the {flow_name} flow's state table")
    if row.screen == "card_number":  # one pad for every flow: the pad's state, and whose it is
        return "card_number", (state if isinstance(state, common.Entering) else state.entry, flow_name)
    return row.screen, (state,)

"""Which screen shows each state of each flow, and how a flow starts: the one table of the UI's routing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.clock import library_today
from kiosk.config import KioskSettings
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, common, expiry, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.flows.card_steps import CardUnusable
from kiosk.flows.runner import Flow

FLOW_FACTORIES: dict[str, Callable[[KioskSettings], Flow]] = {
    "expiry": lambda s: expiry.ExpiryFlow(s.barcode.pattern, today=library_today),
    "migrate": lambda s: mig.MigrationFlow(s.barcode.pattern, today=library_today),
    "ticket": lambda s: ticket.TicketFlow(TICKET_SERVICES),
    "checkup": lambda s: checkup.CheckupFlow(today=library_today),
    # Starts at the card number pad; another flow passes a known number with renewal.Begin (app.request_renewal).
    "renewal": lambda s: renewal.RenewalFlow(s.barcode.pattern, today=library_today),
}
# Counter services a kiosk offers tickets for (the server names and numbers them).
TICKET_SERVICES = ("registration", "mynumber", "other")

# States at which Back leaves the flow (for the others, Back is the flow's own event).
FIRST_STATES: tuple[type, ...] = (expiry.ChooseMethod, mig.Intro, ticket.Choosing, checkup.Intro, renewal.CardNumber)

# States during card or server work: Back waits for the answer rather than leave mid-command.
BUSY_STATES: tuple[type, ...] = (
    expiry.LookingUp, expiry.CheckingByCard, checkup.Checking, cs.ReadingCard, mig.ReadingBirthDate, mig.Migrating,
    ticket.Issuing, ticket.Printing, renewal.Checking, renewal.ReadingFacts, renewal.Proving, renewal.Comparing,
    renewal.Sending,
)

# The card steps (waiting, reading, PIN pads) are shared classes: one screen each, whatever the flow.
_SCREENS: dict[type, str] = {
    expiry.ChooseMethod: "expiry_method",
    expiry.CheckingByCard: "migrate_working",
    expiry.LookingUp: "expiry_result",
    expiry.Shown: "expiry_result",
    expiry.Failed: "expiry_result",
    ticket.Choosing: "ticket_service",
    checkup.Intro: "checkup_intro",
    checkup.Checking: "checkup_result",
    checkup.Report: "checkup_result",
    checkup.Failed: "checkup_result",
    ticket.Issuing: "ticket_result",
    ticket.IssueFailed: "ticket_result",
    ticket.Printing: "ticket_result",
    ticket.Printed: "ticket_result",
    ticket.PrintFailed: "ticket_result",
    mig.Intro: "migrate_intro",
    mig.Consent: "migrate_consent",
    cs.WaitingForCard: "migrate_card",
    cs.ReadingCard: "migrate_card",
    cs.SamePin: "migrate_same_pin",
    cs.EnteringPin: "pin_pad",
    cs.LastTryWarning: "last_try",
    mig.ReadingBirthDate: "migrate_working",
    mig.Migrating: "migrate_working",
    mig.Completed: "migrate_result",
    mig.Pending: "migrate_result",
    mig.Refused: "migrate_result",
    cs.CertificateExpired: "migrate_result",
    cs.PinBlocked: "migrate_result",
    CardUnusable: "migrate_result",
    renewal.Checking: "renewal_working",
    renewal.ChooseWay: "renewal_way",
    renewal.WhatToBring: "renewal_bring",
    renewal.ReadingFacts: "renewal_working",
    renewal.Proving: "renewal_working",
    renewal.Comparing: "renewal_working",
    renewal.Review: "renewal_review",
    renewal.Sending: "renewal_working",
    renewal.Sent: "renewal_result",
    renewal.NotYet: "renewal_result",
    renewal.Failed: "renewal_result",
}
# Where a flow shows a shared state its own way (a blocked PIN, an expired certificate or a card the kiosk
# cannot use still leaves the counter's renewal).
_FLOW_SCREENS: dict[tuple[str, type], str] = {
    ("renewal", cs.PinBlocked): "renewal_result",
    ("renewal", cs.CertificateExpired): "renewal_result",
    ("renewal", CardUnusable): "renewal_result",
}


def route(flow_name: str, state: Any) -> tuple[str, tuple[Any, ...]]:
    """The screen for ``state`` and the arguments of its ``render``."""
    if isinstance(state, common.Entering):
        return "card_number", (state, flow_name)
    if isinstance(state, mig.CardNumber | renewal.CardNumber):
        return "card_number", (state.entry, flow_name)
    return _FLOW_SCREENS.get((flow_name, type(state))) or _SCREENS[type(state)], (state,)

"""Performs the flows' effects (server calls, card work, printing) and answers with events.

This runs on the flow runner's worker thread. Every failure becomes an event the flow understands,
so nothing a patron does ends in an unhandled exception.

    card.py       one PC/SC session per effect, PIN refusals, the signed challenge, the facts and proof
    checkup.py    the card check-up (sign, then the server's findings)
    expiry.py     expiry by number and by My Number card
    migration.py  the no-PIN card read, the birth date, sign and submit
    renewal.py    renewal open?, the card's facts behind the 入力補助 PIN, compare and send
    registration.py  the IDs the counter accepts, the card's facts, the signature, the application
    tickets.py    issue and print a queue ticket
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.api.client import KioskApiClient
from kiosk.clock import library_today
from kiosk.config import KioskSettings
from kiosk.effects.card import CardSessions
from kiosk.effects.checkup import CheckupWork
from kiosk.effects.expiry import ExpiryWork
from kiosk.effects.migration import MigrationWork
from kiosk.effects.registration import RegistrationWork
from kiosk.effects.renewal import RenewalWork
from kiosk.effects.tickets import TicketWork
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, expiry, registration, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.outbox import Outbox
from kiosk.printer import TicketPrinter, TicketRenderer, printer_from_config

__all__ = ["Performer", "client_from_settings"]


def client_from_settings(settings: KioskSettings) -> KioskApiClient:
    """The kiosk's one API client: URL, credentials, timeout, CA and clock offset from `[server]`."""
    server = settings.server
    return KioskApiClient(server.url, server.kiosk_id, server.secret, server.timeout_s,
                          ca_file=server.ca_file or None, clock_offset_s=server.clock_offset_s)


class Performer:
    """Maps each effect type to the work that answers it."""

    def __init__(self, settings: KioskSettings, api: KioskApiClient | None = None,
                 connect: Callable[[], Any] | None = None, printer: TicketPrinter | None = None,
                 today: Callable[[], date] = library_today,
                 on_ticket_printed: Callable[[ticket.TicketView], None] | None = None,
                 outbox: Outbox | None = None) -> None:
        self.api = api or client_from_settings(settings)
        cards = CardSessions(settings.card.reader or None, connect, settings.card.command_timeout_s)
        printer_settings = dataclasses.asdict(settings.printer)
        self.printer = printer or printer_from_config(printer_settings)
        expiry_work = ExpiryWork(self.api, cards)
        checkup_work = CheckupWork(self.api, cards)
        migration_work = MigrationWork(self.api, cards, today)
        renewal_work = RenewalWork(self.api, cards)
        registration_work = RegistrationWork(self.api, cards)
        self.renderer = TicketRenderer.from_config(printer_settings)
        ticket_work = TicketWork(self.api, self.printer, self.renderer, on_ticket_printed, outbox)
        self._handlers: dict[type, Callable[[Any], object]] = {
            expiry.LookupExpiry: expiry_work.lookup,
            expiry.LookupExpiryByCard: expiry_work.lookup_by_card,
            checkup.CheckUp: checkup_work.check_up,
            ticket.IssueTicket: ticket_work.issue,
            ticket.PrintTicket: ticket_work.print,
            cs.ReadCard: migration_work.read_card,
            mig.ReadBirthDate: migration_work.read_birth_date,
            mig.SignAndSubmit: migration_work.sign_and_submit,
            renewal.CheckEligibility: renewal_work.check,
            renewal.ReadFacts: renewal_work.read_facts,
            renewal.Prove: renewal_work.prove,
            renewal.CompareFacts: renewal_work.compare,
            renewal.SendRequest: renewal_work.send,
            registration.LoadAcceptedIds: registration_work.accepted_ids,
            registration.ReadFacts: registration_work.read_facts,
            registration.Sign: registration_work.sign,
            registration.Apply: registration_work.apply,
        }

    def perform(self, effect: object) -> object:
        """Do the work ``effect`` asks for and return the answering event."""
        return self._handlers[type(effect)](effect)

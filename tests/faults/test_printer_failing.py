"""The ticket printer failing (paper out, switched off): the ticket stands, its printed mark is not sent;
once a print of it succeeds, the mark goes through the outbox, once."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from kiosk.api.client import KioskApiClient
from kiosk.deliveries import outbox_from_settings
from kiosk.effects import Performer
from kiosk.flows import ticket
from kiosk.printer import printer_from_config
from tests.faults.conftest import kiosk_settings
from tests.support.escpos_printer import FakeEscposPrinter, PrinterState
from tests.support.server_proc import ServerProcess
from tests.support.waiting import eventually


def print_count(database: Path, ticket_id: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT print_count FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]


def test_failed_prints_send_no_mark_and_the_first_good_print_sends_one(server: ServerProcess,
                                                                       tmp_path: Path) -> None:
    settings = kiosk_settings(server, tmp_path)
    s = settings.server
    api = KioskApiClient(s.url, s.kiosk_id, s.secret, s.timeout_s)
    outbox = outbox_from_settings(settings, api)
    fake = FakeEscposPrinter(PrinterState(paper="out")).start()
    printer = printer_from_config({"backend": "network", "host": fake.host, "port": fake.port, "timeout": 2.0})
    performer = Performer(settings, api=api, printer=printer, outbox=outbox)
    outbox.start()
    try:
        issued = performer.perform(ticket.IssueTicket("mynumber", str(uuid.uuid4())))
        assert isinstance(issued, ticket.Issued), "the number is the patron's whatever the printer does"
        view = issued.ticket

        assert performer.perform(ticket.PrintTicket(view)) == ticket.PrintError(ticket.PrintFailure.PAPER_OUT)
        fake.stop()  # switched off
        assert performer.perform(ticket.PrintTicket(view)) == ticket.PrintError(ticket.PrintFailure.OFFLINE)
        assert len(outbox) == 0 and print_count(tmp_path / "server.db", view.ticket_id) == 0, "no mark unprinted"

        fake = FakeEscposPrinter(PrinterState()).start()  # paper loaded, switched on (a new port)
        printer = printer_from_config({"backend": "network", "host": fake.host, "port": fake.port, "timeout": 2.0})
        performer = Performer(settings, api=api, printer=printer, outbox=outbox)
        assert isinstance(performer.perform(ticket.PrintTicket(view)), ticket.PrintDone)
        assert fake.jobs, "it came out of the printer"
        eventually(lambda: len(outbox) == 0, "the print mark delivered")
        assert len(outbox) == 0 and print_count(tmp_path / "server.db", view.ticket_id) == 1
        # The same ticket printed again by the flow (e.g. a retry) carries the same key: still counted once.
        assert isinstance(performer.perform(ticket.PrintTicket(view)), ticket.PrintDone)
        eventually(lambda: len(outbox) == 0, "the print mark delivered")
        assert print_count(tmp_path / "server.db", view.ticket_id) == 1
    finally:
        outbox.close()
        fake.stop()

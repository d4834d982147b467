"""A staff reprint is counted on the real server: the kiosk's ticket log keeps the server's ticket id (never
anything about the patron), and maintenance mode's reprint queues a reprint mark in the outbox, which
reaches the server (print_count and a ticket.reprint audit event) once per reprint, even if the server was
down when staff reprinted."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from kiosk import config
from kiosk.flows import ticket
from kiosk.services import KioskServices
from tests.faults.servers import restart
from tests.support.server_proc import start_server
from tests.support.tickets import ALWAYS_OPEN


def _server_ticket(database: Path, ticket_id: str) -> tuple[int, list[str]]:
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT print_count FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
        actions = [row[0] for row in db.execute(
            "SELECT action FROM audit_log WHERE action IN ('ticket.print', 'ticket.reprint') ORDER BY id")]
    return count, actions


def test_a_staff_reprint_is_marked_on_the_server_through_the_outbox(tmp_path: Path) -> None:
    database = tmp_path / "server.db"
    server = start_server(database_url=f"sqlite:///{database}", settings=ALWAYS_OPEN)
    environ = {"KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_KIOSK_ID": server.kiosk_id,
               "KIOSK_SERVER_SECRET": server.kiosk_secret, "KIOSK_SERVER_TIMEOUT_S": "3",
               "KIOSK_PRINTER_BACKEND": "file", "KIOSK_PRINTER_DIRECTORY": str(tmp_path / "printed"),
               "KIOSK_MAINTENANCE_DATA_DIR": str(tmp_path / "kiosk"),
               "KIOSK_MAINTENANCE_STAFF_CACHE_PATH": str(tmp_path / "kiosk" / "staff.json"),
               "KIOSK_OUTBOX_PATH": str(tmp_path / "kiosk" / "outbox.sqlite3")}
    services = KioskServices(config.load(environ=environ))
    try:
        # A patron's ticket, issued and printed through the app's own effects (the print mark goes via the outbox).
        issued = services.performer.perform(ticket.IssueTicket("mynumber", idempotency_key=str(uuid.uuid4())))
        assert isinstance(issued, ticket.Issued)
        assert isinstance(services.performer.perform(ticket.PrintTicket(issued.ticket)), ticket.PrintDone)
        outbox = services._outbox
        assert outbox is not None and outbox.flush() == 1
        ticket_id = issued.ticket.ticket_id
        assert _server_ticket(database, ticket_id) == (1, ["ticket.print"])
        logged = json.loads(services.maintenance.tickets.path.read_text())
        assert [row["ticket_id"] for row in logged] == [ticket_id]

        # Staff reprint it twice: two marks, each with its own key, each counted once even if sent again.
        actions = services.maintenance.actions
        assert actions is not None
        actions.reprint(server.staff_id, issued.ticket.number)
        actions.reprint(server.staff_id, issued.ticket.number)
        marks = outbox.pending("ticket_printed")
        assert [m.payload for m in marks] == [{"ticket_id": ticket_id, "reprint": True}] * 2
        assert len({m.idempotency_key for m in marks}) == 2
        assert outbox.flush() >= 2
        assert _server_ticket(database, ticket_id) == (3, ["ticket.print", "ticket.reprint", "ticket.reprint"])
        services.performer.api.mark_ticket_printed(ticket_id, idempotency_key=marks[0].idempotency_key,
                                                   reprint=True)  # a retry of the same mark
        assert _server_ticket(database, ticket_id)[0] == 3

        # The server is away while staff reprint: the mark waits on disk and arrives later.
        server.stop()
        actions.reprint(server.staff_id, issued.ticket.number)
        assert outbox.flush() == 0 and outbox.count("ticket_printed") == 1
    finally:
        services.stop()
    restarted = restart(server)
    try:
        # The kiosk starts again (the server came back at another address here): the queued mark goes out.
        services = KioskServices(config.load(environ={**environ, "KIOSK_SERVER_URL": restarted.base_url}))
        outbox = services._outbox if services.performer else None
        assert outbox is not None
        assert outbox.flush() >= 1 and len(outbox) == 0 and outbox.dead() == []
        assert _server_ticket(database, ticket_id) == (4, ["ticket.print"] + ["ticket.reprint"] * 3)
    finally:
        services.stop()
        restarted.stop()

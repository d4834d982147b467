"""The server SIGKILLed in the middle of a migration and of a ticket issue, then restarted on the same database:
nothing lost, nothing doubled, and the patron is told the truth."""

from __future__ import annotations

import signal
import sqlite3
import uuid
from pathlib import Path

from kiosk.api.client import KioskApiClient
from kiosk.card.pin import Pin
from kiosk.deliveries import outbox_from_settings
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from kiosk.flows import migration as mig
from kiosk.flows import ticket
from kiosk.outbox import Outbox
from tests.faults.cards import INS_SIGN, TrickCard
from tests.faults.conftest import kiosk_settings
from tests.faults.servers import kill, restart
from tests.support.server_proc import ServerProcess

NORMAL_CARD = "2000000014"  # persona "normal": an old-scheme link, PINs 1234 / 1234


def pin(digits: str) -> Pin:
    return Pin(bytearray(digits.encode()))


def kiosk(server: ServerProcess, tmp_path: Path, **env: str) -> tuple[Performer, Outbox]:
    """The kiosk core as the app wires it: one client, the outbox on it, the Performer with both."""
    settings = kiosk_settings(server, tmp_path, **env)
    s = settings.server
    api = KioskApiClient(s.url, s.kiosk_id, s.secret, s.timeout_s)
    outbox = outbox_from_settings(settings, api)
    return Performer(settings, api=api, outbox=outbox), outbox


def linkages(database: Path, card_number: str) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT l.scheme, l.active FROM linkages l JOIN patrons p ON p.id = l.patron_id "
                          "WHERE p.card_number = ? ORDER BY l.id", (card_number,)).fetchall()


def test_server_killed_between_challenge_and_submit(server: ServerProcess, tmp_path: Path, insert_card,
                                                     test_pki) -> None:
    database = tmp_path / "server.db"
    assert linkages(database, NORMAL_CARD) == [("old", 1)]
    killed: list[bool] = []

    def kill_at_signature(apdu: bytes) -> None:
        # The challenge is issued and the PIN verified; the server dies before the card's answer is sent.
        if len(apdu) > 1 and apdu[1] == INS_SIGN and not killed:
            kill(server)
            killed.append(True)

    card = TrickCard.for_persona(test_pki.personas["normal"])
    card.before = kill_at_signature
    insert_card(card, physical=True)
    performer, outbox = kiosk(server, tmp_path)
    read = performer.perform(cs.ReadCard())
    assert isinstance(read, cs.CardRead)
    outcome = performer.perform(mig.SignAndSubmit(NORMAL_CARD, read.card.certificate_der, pin("1234"), False,
                                                  str(uuid.uuid4()), text_pin=pin("1234")))
    assert killed and outcome == mig.MigrationRefused(mig.Refusal.SERVER_UNREACHABLE), "told: not done"
    assert len(outbox) == 0 and outbox.dead() == [], "a migration is never queued"
    assert linkages(database, NORMAL_CARD) == [("old", 1)], "nothing changed on the server"

    restarted = restart(server)
    try:
        performer, outbox = kiosk(restarted, tmp_path)
        retry = performer.perform(mig.SignAndSubmit(NORMAL_CARD, read.card.certificate_der, pin("1234"), False,
                                                    str(uuid.uuid4()), text_pin=pin("1234")))
        assert isinstance(retry, mig.Migrated) and retry.reference is None
        assert linkages(database, NORMAL_CARD) == [("old", 0), ("mykey", 1)], "one new link, the old in history"
        assert len(outbox) == 0
    finally:
        restarted.stop()


def test_migration_while_the_server_is_down_ends_not_done_with_nothing_queued(
        server: ServerProcess, tmp_path: Path, insert_card) -> None:
    insert_card("normal", physical=True)
    performer, outbox = kiosk(server, tmp_path)
    read = performer.perform(cs.ReadCard())
    assert isinstance(read, cs.CardRead)
    kill(server)
    outcome = performer.perform(mig.SignAndSubmit(NORMAL_CARD, read.card.certificate_der, pin("1234"), False,
                                                  str(uuid.uuid4()), text_pin=pin("1234")))
    assert outcome == mig.MigrationRefused(mig.Refusal.SERVER_UNREACHABLE)
    assert mig.Refusal.SERVER_UNREACHABLE in mig.RETRYABLE
    assert len(outbox) == 0 and outbox.dead() == []
    assert linkages(tmp_path / "server.db", NORMAL_CARD) == [("old", 1)]


def tickets(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT ticket_id, number FROM tickets ORDER BY id").fetchall()


def test_server_killed_after_and_during_a_ticket_issue(server: ServerProcess, tmp_path: Path) -> None:
    database = tmp_path / "server.db"
    performer, _ = kiosk(server, tmp_path, KIOSK_SERVER_TIMEOUT_S="1")
    first_key = str(uuid.uuid4())
    issued = performer.perform(ticket.IssueTicket("mynumber", first_key))
    assert isinstance(issued, ticket.Issued)
    kill(server)  # right after the answer: the patron may not have seen it, the kiosk retries
    server = restart(server)
    try:
        performer, _ = kiosk(server, tmp_path, KIOSK_SERVER_TIMEOUT_S="1")
        again = performer.perform(ticket.IssueTicket("mynumber", first_key))
        assert isinstance(again, ticket.Issued)
        assert (again.ticket.ticket_id, again.ticket.number) == (issued.ticket.ticket_id, issued.ticket.number)
        assert tickets(database) == [(issued.ticket.ticket_id, issued.ticket.number)], "exactly one ticket"

        # During: the request reaches a server that hangs (SIGSTOP), the kiosk gives up, the server is killed.
        second_key = str(uuid.uuid4())
        server.process.send_signal(signal.SIGSTOP)
        lost = performer.perform(ticket.IssueTicket("mynumber", second_key))
        assert lost == ticket.IssueError(ticket.IssueFailure.SERVER_UNREACHABLE)
        kill(server)
        server = restart(server)
        performer, _ = kiosk(server, tmp_path, KIOSK_SERVER_TIMEOUT_S="1")
        retried = performer.perform(ticket.IssueTicket("mynumber", second_key))
        third = performer.perform(ticket.IssueTicket("mynumber", second_key))
        assert isinstance(retried, ticket.Issued) and third == retried
        assert [n for _, n in tickets(database)] == [issued.ticket.number, retried.ticket.number]
        assert retried.ticket.number != issued.ticket.number
    finally:
        server.stop()

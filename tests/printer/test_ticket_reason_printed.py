"""A counter ticket whose reason code no catalogue knows, issued by the real server and printed by the kiosk's
ticket work into a PNG: the paper carries the generic line, never the raw key."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from kiosk import i18n
from kiosk.effects import Performer
from kiosk.effects.tickets import REASON_OTHER
from kiosk.flows import ticket
from kiosk.printer import BilingualLine, TicketPrint
from tests.faults.conftest import TODAY, kiosk_settings
from tests.faults.servers import ALWAYS_OPEN
from tests.support.server_proc import ServerProcess, start_server

UNKNOWN = "expired_card"  # the example server/tickets/schemas.py gave; no flow sends it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("reason-server")
    started = start_server(database_url=f"sqlite:///{directory / 'server.db'}",
                           settings={"SERVER_TODAY": TODAY.isoformat(), **ALWAYS_OPEN})
    yield started
    started.stop()


def as_printed(view: ticket.TicketView, reason: BilingualLine) -> TicketPrint:
    return TicketPrint(number=view.number, service_ja=view.service_ja, service_en=view.service_en,
                       issued_at=view.issued_at, people_ahead=view.people_ahead, wait_minutes=view.wait_minutes,
                       status_url=view.status_url, reason=reason, reference=view.reference)


def print_ticket(server: ServerProcess, tmp_path: Path,
                 reason: str) -> tuple[Performer, ticket.TicketView, Image.Image]:
    performer = Performer(kiosk_settings(server, tmp_path))
    issued = performer.perform(ticket.IssueTicket("registration", str(uuid.uuid4()), reason))
    assert isinstance(issued, ticket.Issued)
    assert isinstance(performer.perform(ticket.PrintTicket(issued.ticket)), ticket.PrintDone)
    (png,) = (tmp_path / "printed").glob(f"*{issued.ticket.number}*.png")
    with Image.open(png) as image:
        return performer, issued.ticket, image.convert("1")


def test_an_unknown_reason_prints_the_generic_line_never_the_key(server: ServerProcess, tmp_path: Path) -> None:
    performer, view, printed = print_ticket(server, tmp_path, UNKNOWN)
    assert view.reason == UNKNOWN
    generic = BilingualLine(i18n.translate(REASON_OTHER, "ja"), i18n.translate(REASON_OTHER, "en"))
    raw = f"ticket.reason.{UNKNOWN}"
    expected = performer.renderer.render_ticket(as_printed(view, generic))
    as_key = performer.renderer.render_ticket(as_printed(view, BilingualLine(raw, raw)))
    assert printed.tobytes() == expected.tobytes()
    assert printed.tobytes() != as_key.tobytes()


def test_a_known_reason_prints_its_own_text(server: ServerProcess, tmp_path: Path) -> None:
    performer, view, printed = print_ticket(server, tmp_path, "renewal")
    text = BilingualLine(i18n.translate("ticket.reason.renewal", "ja"), i18n.translate("ticket.reason.renewal", "en"))
    assert printed.tobytes() == performer.renderer.render_ticket(as_printed(view, text)).tobytes()
    generic = dataclasses.replace(text, ja=i18n.translate(REASON_OTHER, "ja"), en=i18n.translate(REASON_OTHER, "en"))
    assert printed.tobytes() != performer.renderer.render_ticket(as_printed(view, generic)).tobytes()

"""Service switch survives a restart; test print, reprint from today's record, restart flag; all audited."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from kiosk.api.wire import StaffEvent
from kiosk.maintenance.actions import (
    RESTART_EXIT_CODE,
    MaintenanceActions,
    UnknownTicketError,
    take_restart_request,
)
from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.service_mode import ServiceMode
from kiosk.maintenance.ticket_log import PrintedTicket, TicketLog
from kiosk.printer.errors import PrinterOfflineError
from kiosk.printer.file_backend import FilePrinter
from kiosk.printer.ticket_image import TicketRenderer

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


def ticket(number: str, at: datetime = NOW) -> PrintedTicket:
    return PrintedTicket(number=number, service="registration", service_ja="利用者カードの登録・更新",
                         service_en="Library card registration / renewal", issued_at=at,
                         status_url=f"http://127.0.0.1:8700/t/{number}", people_ahead=2, wait_minutes=10)


@pytest.fixture(scope="module")
def renderer() -> TicketRenderer:
    return TicketRenderer(576)


@pytest.fixture
def sent() -> list[StaffEvent]:
    return []


@pytest.fixture
def actions(tmp_path: Path, renderer: TicketRenderer, sent: list[StaffEvent]) -> MaintenanceActions:
    data = tmp_path / "kiosk"
    return MaintenanceActions(kiosk_id="kiosk-t", printer=FilePrinter(tmp_path / "tickets"), renderer=renderer,
                              tickets=TicketLog(data, now=lambda: NOW), service=ServiceMode(data),
                              audit=AuditTrail(sent.append), data_dir=data, now=lambda: NOW)


def test_service_mode_defaults_to_in_service_and_survives_a_restart(tmp_path: Path) -> None:
    assert ServiceMode(tmp_path).in_service
    ServiceMode(tmp_path).set(False, staff_id="admin-1", now=NOW)
    after_restart = ServiceMode(tmp_path).current()
    assert (after_restart.in_service, after_restart.changed_by, after_restart.changed_at) == (False, "admin-1", NOW)
    assert (tmp_path / "service-mode.json").stat().st_mode & 0o777 == 0o600
    (tmp_path / "service-mode.json").write_text("{not json")
    assert ServiceMode(tmp_path).in_service  # unreadable: patrons are not locked out by a bad file


def test_switching_service_is_audited(actions: MaintenanceActions, sent: list[StaffEvent]) -> None:
    actions.set_in_service("admin-1", False)
    actions.set_in_service("admin-1", True)
    actions.audit.flush()
    assert [(e.staff_id, e.action) for e in sent] == [("admin-1", "service.out"), ("admin-1", "service.in")]
    assert actions.service.in_service


def test_test_print_writes_a_slip_and_is_audited(actions: MaintenanceActions, sent: list[StaffEvent]) -> None:
    path = actions.test_print("admin-1")
    assert path is not None and path.exists()
    image = Image.open(path)
    assert image.width == 576 and image.height > 300
    actions.audit.flush()
    assert [(e.action, e.outcome) for e in sent] == [("print.test", "ok")]


def test_reprint_renders_todays_ticket_from_the_record(actions: MaintenanceActions, sent: list[StaffEvent]) -> None:
    actions.tickets.add(ticket("R-007", NOW - timedelta(days=1)))  # yesterday: not offered
    actions.tickets.add(ticket("R-012"))
    actions.tickets.add(ticket("M-003"))
    assert [t.number for t in actions.tickets.today()] == ["R-012", "M-003"]
    path = actions.reprint("counter-1", "R-012")
    assert path is not None and "R-012" in path.name and Image.open(path).width == 576
    with pytest.raises(UnknownTicketError):
        actions.reprint("counter-1", "R-007")
    actions.audit.flush()
    assert [(e.action, e.outcome, dict(e.detail)) for e in sent] == [
        ("ticket.reprint", "ok", {"number": "R-012"}), ("ticket.reprint", "unknown_ticket", {"number": "R-007"})]
    assert "patron" not in actions.tickets.path.read_text()


def test_a_printer_failure_is_raised_and_audited(tmp_path: Path, actions: MaintenanceActions,
                                                  sent: list[StaffEvent]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    actions.printer = FilePrinter(blocker / "tickets")
    with pytest.raises(PrinterOfflineError):
        actions.test_print("admin-1")
    actions.audit.flush()
    assert (sent[0].action, sent[0].outcome) == ("print.test", "PrinterOfflineError")


def test_restart_request_gives_the_exit_code_and_a_flag_read_once(actions: MaintenanceActions,
                                                                  sent: list[StaffEvent]) -> None:
    assert actions.request_restart("admin-1") == RESTART_EXIT_CODE == 75
    request = take_restart_request(actions.data_dir)
    assert request == {"staff_id": "admin-1", "at": NOW.isoformat()}
    assert take_restart_request(actions.data_dir) is None
    actions.audit.flush()
    assert [e.action for e in sent] == ["app.restart"]


def test_reprint_marks_the_servers_ticket_and_a_failing_mark_does_not_fail_it(
        actions: MaintenanceActions, sent: list[StaffEvent]) -> None:
    marked: list[str] = []
    actions.mark_reprinted = marked.append
    actions.tickets.add(dataclasses.replace(ticket("R-012"), ticket_id="srv-12"))
    actions.tickets.add(ticket("R-013"))  # logged before ticket ids were kept: reprinted, not marked
    actions.reprint("counter-1", "R-012")
    actions.reprint("counter-1", "R-013")
    assert marked == ["srv-12"]

    def broken(_ticket_id: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    actions.mark_reprinted = broken
    assert actions.reprint("counter-1", "R-012") is not None
    actions.audit.flush()
    assert [(e.action, e.outcome) for e in sent] == [("ticket.reprint", "ok")] * 3

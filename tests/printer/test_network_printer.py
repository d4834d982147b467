"""The network backend against a fake TCP ESC/POS printer: what arrives on paper, and typed failures."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from kiosk.printer import (
    CoverOpenError,
    NetworkTicketPrinter,
    PaperOutError,
    PaperState,
    PrinterOfflineError,
    TicketPrint,
    TicketRenderer,
    printer_from_config,
)
from tests.printer.conftest import STATUS_URL, decode_qr
from tests.support.escpos_printer import FakeEscposPrinter, PrinterState
from tests.support.waiting import WAIT_S


def network_printer(fake: FakeEscposPrinter, timeout: float = 2.0) -> NetworkTicketPrinter:
    printer = printer_from_config({"backend": "network", "host": fake.host, "port": fake.port,
                                   "timeout": timeout})
    assert isinstance(printer, NetworkTicketPrinter)
    return printer


def wait_for(condition: Callable[[], object], timeout: float = WAIT_S) -> None:
    """The fake printer decodes on its own thread: give it a moment to catch up."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_printed_ticket_arrives_exactly_and_its_qr_scans(fake_printer: FakeEscposPrinter,
                                                         renderer: TicketRenderer, ticket: TicketPrint) -> None:
    img = renderer.render_ticket(ticket)
    assert network_printer(fake_printer).print_image(img, label=ticket.number) is None

    wait_for(lambda: fake_printer.jobs and "cut" in fake_printer.jobs[-1].commands)
    job = fake_printer.jobs[-1]
    assert job.commands[:5] == ["status1", "status2", "status3", "status4", "init"]
    assert job.commands[-2:] == ["feed", "cut"]
    assert job.commands.count("cut") == 1
    on_paper = job.printed_image()
    assert on_paper is not None
    assert on_paper.size == img.size
    assert on_paper.tobytes() == img.tobytes()
    assert decode_qr(on_paper) == [STATUS_URL]


def test_status_of_a_ready_printer(fake_printer: FakeEscposPrinter) -> None:
    status = network_printer(fake_printer).status()
    assert status.online and status.ready and status.error is None
    assert status.paper is PaperState.OK


def test_paper_near_end_is_reported_but_still_prints(fake_printer: FakeEscposPrinter,
                                                     renderer: TicketRenderer, ticket: TicketPrint) -> None:
    fake_printer.state.paper = "near_end"
    printer = network_printer(fake_printer)
    assert printer.status().paper is PaperState.NEAR_END
    printer.print_image(renderer.render_ticket(ticket))
    wait_for(lambda: any("cut" in j.commands for j in fake_printer.jobs))


@pytest.mark.parametrize(
    ("state", "error", "paper"),
    [
        (PrinterState(paper="out"), PaperOutError, PaperState.OUT),
        (PrinterState(cover_open=True), CoverOpenError, PaperState.OK),
        (PrinterState(offline=True), PrinterOfflineError, PaperState.OK),
    ],
)
def test_not_ready_printer_raises_typed_error_and_prints_nothing(
        renderer: TicketRenderer, ticket: TicketPrint, state: PrinterState, error: type[Exception],
        paper: PaperState) -> None:
    with FakeEscposPrinter(state) as fake:
        printer = network_printer(fake)
        status = printer.status()
        assert not status.online and status.error
        assert status.paper is paper
        with pytest.raises(error):
            printer.print_image(renderer.render_ticket(ticket))
        wait_for(fake.idle)  # the refused job's connection is over: all it sent is decoded
        assert fake.images == []
        assert b"\x1dV" not in fake.received


def test_switched_off_printer_is_offline(renderer: TicketRenderer, ticket: TicketPrint) -> None:
    fake = FakeEscposPrinter().start()
    printer = network_printer(fake)
    assert printer.status().online
    fake.stop()

    status = printer.status()
    assert not status.online
    assert f"{fake.host}:{fake.port}" in (status.error or "")
    with pytest.raises(PrinterOfflineError):
        printer.print_image(renderer.render_ticket(ticket))


def test_printer_that_never_answers_times_out_as_offline(renderer: TicketRenderer,
                                                         ticket: TicketPrint) -> None:
    with FakeEscposPrinter(PrinterState(silent=True)) as fake:
        printer = network_printer(fake, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(PrinterOfflineError):
            printer.print_image(renderer.render_ticket(ticket))
        assert time.monotonic() - started < 2
        assert fake.images == []


def test_garbled_status_reply_is_offline(renderer: TicketRenderer, ticket: TicketPrint) -> None:
    with FakeEscposPrinter(replies={1: b"\xff"}) as fake:
        printer = network_printer(fake)
        assert not printer.status().online
        with pytest.raises(PrinterOfflineError, match="unexpected reply"):
            printer.print_image(renderer.render_ticket(ticket))


def test_printer_recovers_after_paper_is_loaded(fake_printer: FakeEscposPrinter, renderer: TicketRenderer,
                                               ticket: TicketPrint) -> None:
    fake_printer.state.paper = "out"
    printer = network_printer(fake_printer)
    img = renderer.render_ticket(ticket)
    with pytest.raises(PaperOutError):
        printer.print_image(img)
    fake_printer.state.paper = "ok"  # staff loads a new roll; the same printer object reprints
    printer.print_image(img)
    wait_for(lambda: len(fake_printer.images) > 0 and any("cut" in j.commands for j in fake_printer.jobs))

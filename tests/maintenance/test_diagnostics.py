"""Diagnostics tell the truth within their deadline: a stopped server, a missing printer, no reader."""

from __future__ import annotations

import threading
import time
import tomllib
from pathlib import Path

from kiosk.config import ROOT
from kiosk.maintenance.diagnostics import collect
from kiosk.printer.factory import printer_from_config
from kiosk.printer.file_backend import FilePrinter
from tests.maintenance.conftest import closed_port, settings_for
from tests.support.server_proc import start_server


def test_server_running_then_stopped_network_printer_absent(tmp_path: Path) -> None:
    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}")
    port = closed_port()
    settings = settings_for(server.base_url, backend="network", options={"host": "127.0.0.1", "port": port})
    printer = printer_from_config({"backend": "network", "host": "127.0.0.1", "port": port, "timeout": 1.0})
    try:
        up = collect(settings=settings, printer=printer, data_dir=tmp_path / "kiosk", timeout_s=2.0)
    finally:
        server.stop()
    assert up.server.reachable and up.server.error is None
    assert up.server.rtt_ms is not None and 0 < up.server.rtt_ms < 2000

    started = time.monotonic()
    down = collect(settings=settings, printer=printer, data_dir=tmp_path / "kiosk", timeout_s=2.0)
    assert time.monotonic() - started < 3
    assert (down.server.reachable, down.server.rtt_ms, down.server.error) == (False, None, "connection refused")
    # Nobody listens at the printer's address: offline, paper unknown, the reason given.
    assert (down.printer.backend, down.printer.online, down.printer.paper) == ("network", False, "unknown")
    assert f"127.0.0.1:{port}" in (down.printer.error or "")


def test_file_printer_and_no_printer(tmp_path: Path) -> None:
    settings = settings_for(f"http://127.0.0.1:{closed_port()}")
    with_printer = collect(settings=settings, printer=FilePrinter(tmp_path / "tickets"), data_dir=tmp_path)
    assert (with_printer.printer.online, with_printer.printer.paper, with_printer.printer.error) == (True, "ok", None)
    without = collect(settings=settings, printer=None, data_dir=tmp_path)
    assert (without.printer.online, without.printer.paper, without.printer.error) == (
        False, "unknown", "no printer configured")


def test_unwritable_file_printer_is_offline(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the ticket folder should be")
    diagnostics = collect(settings=settings_for(f"http://127.0.0.1:{closed_port()}"),
                          printer=FilePrinter(blocker / "tickets"), data_dir=tmp_path)
    assert not diagnostics.printer.online
    assert "cannot create" in (diagnostics.printer.error or "")


def test_every_probe_is_bounded_and_never_raises(tmp_path: Path) -> None:
    released = threading.Event()

    def hung_pcsc() -> list[str]:
        released.wait(60)  # hangs until the test is over
        return []

    def broken_outbox() -> int:
        raise RuntimeError("outbox database locked")

    started = time.monotonic()
    diagnostics = collect(settings=settings_for(f"http://127.0.0.1:{closed_port()}"), printer=None,
                          data_dir=tmp_path, timeout_s=0.5, list_readers=hung_pcsc, outbox_length=broken_outbox)
    released.set()
    assert time.monotonic() - started < 15, "the hung probe is given up at its timeout (a busy machine is slow)"
    assert (diagnostics.reader.ok, diagnostics.reader.error) == (False, "timed out")
    assert diagnostics.outbox_length is None
    assert diagnostics.outbox_error == "RuntimeError: outbox database locked"


def test_reader_card_outbox_disk_version_and_masked_config(tmp_path: Path) -> None:
    settings = settings_for(f"http://127.0.0.1:{closed_port()}")
    diagnostics = collect(settings=settings, printer=None, data_dir=tmp_path / "kiosk" / "data",
                          list_readers=lambda: ["ACS ACR39U 00 00", "Virtual PCD 00 00"],
                          card_present=lambda reader: reader == "ACS ACR39U 00 00", outbox_length=lambda: 3)
    assert diagnostics.reader.ok and diagnostics.reader.readers == ("ACS ACR39U 00 00", "Virtual PCD 00 00")
    assert diagnostics.reader.card_present is True
    assert diagnostics.outbox_length == 3
    assert diagnostics.disk.free_bytes and diagnostics.disk.total_bytes
    assert 0 < diagnostics.disk.free_bytes <= diagnostics.disk.total_bytes
    with (ROOT / "pyproject.toml").open("rb") as handle:
        assert diagnostics.version == tomllib.load(handle)["project"]["version"]
    assert diagnostics.config["server"]["secret"] == "********"
    assert settings.server.secret not in repr(diagnostics)
    assert diagnostics.config["maintenance"]["lockout_tries"] == settings.maintenance.lockout_tries
    none = collect(settings=settings, printer=None, data_dir=tmp_path, list_readers=list)
    assert (none.reader.ok, none.reader.readers, none.reader.error) == (False, (), "no reader attached")


def test_real_pcsc_probe_answers_whatever_the_machine_has(tmp_path: Path) -> None:
    diagnostics = collect(settings=settings_for(f"http://127.0.0.1:{closed_port()}"), printer=None,
                          data_dir=tmp_path, timeout_s=3.0)
    # With pcscd and a reader: ok and named; without: not ok, and the reason is shown.
    assert diagnostics.reader.ok == bool(diagnostics.reader.readers) or diagnostics.reader.error
    assert diagnostics.reader.ok or diagnostics.reader.error

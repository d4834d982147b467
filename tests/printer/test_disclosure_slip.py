"""The 送信した情報 slip, printed to the file backend and read back: its QR names exactly the fields the
ledger holds, and the PNG on disk is the slip rendered from those lines (nothing added, nothing left out)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageChops

from kiosk.actions import PatronActions, disclosure_slip
from kiosk.clock import LIBRARY_TZ
from kiosk.disclosure import DisclosureLedger, parse_machine_readable
from kiosk.printer import FilePrinter, TicketRenderer
from tests.printer.conftest import decode_qr

AT = datetime(2026, 6, 15, 10, 30, tzinfo=LIBRARY_TZ)


def print_and_read(ledger: DisclosureLedger, reference: str, renderer: TicketRenderer, tmp_path: Path):  # type: ignore[no-untyped-def]
    actions = PatronActions(api=None, printer=FilePrinter(tmp_path), renderer=renderer,  # type: ignore[arg-type]
                            now=lambda: AT)
    assert actions.print_disclosures(ledger.snapshot(), reference)
    (png,) = tmp_path.glob("*sent*.png")
    return Image.open(png)


def test_a_migration_session_slip_reads_back_what_the_ledger_holds(renderer: TicketRenderer, tmp_path: Path) -> None:
    ledger = DisclosureLedger()
    ledger.record("challenge", (), datetime.now(UTC))
    ledger.record("migration", ("challenge_id", "card_number", "certificate", "signature", "birth_date"),
                  datetime.now(UTC))
    image = print_and_read(ledger, "QK4T7A", renderer, tmp_path)
    (text,) = decode_qr(image)
    record = parse_machine_readable(text)
    assert record["ref"] == "QK4T7A" and record["at"].startswith("2026-06-15T10:30")
    assert record["sent"].split(",") == ["challenge_id", "card_number", "certificate", "signature", "birth_date"]
    assert record["not_sent"].split(",") == ["my_number", "pin", "name", "address", "sex"]
    # The file holds exactly this slip: the same lines rendered and made 1-bit as the backend does.
    expected = renderer.render_slip(disclosure_slip(ledger.snapshot(), "QK4T7A", AT)).convert("L").convert("1")
    assert ImageChops.difference(image.convert("1"), expected).getbbox() is None


def test_an_address_sent_for_a_renewal_moves_from_not_sent_to_sent(renderer: TicketRenderer, tmp_path: Path) -> None:
    ledger = DisclosureLedger()
    ledger.record("renewal", ("card_number", "name", "address", "birth_date"), datetime.now(UTC))
    ledger.record("other", ("favourite_colour",), datetime.now(UTC))  # unknown: listed under its own name
    record = parse_machine_readable(decode_qr(print_and_read(ledger, "S-K7TQ3A", renderer, tmp_path))[0])
    assert record["sent"].split(",") == ["card_number", "name", "address", "birth_date", "favourite_colour"]
    assert record["not_sent"].split(",") == ["my_number", "pin", "sex"]
    slip = disclosure_slip(ledger.snapshot(), "S-K7TQ3A", AT)
    assert "・その他の項目（favourite_colour）" in [line.ja for line in slip.lines]
    assert "- Address" in [line.en for line in slip.lines]

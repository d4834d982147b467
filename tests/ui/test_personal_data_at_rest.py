"""No personal data at rest: after a migration, a renewal request and a registration application through the
real app (the real card's facts read and shown, a phone number typed), nothing the kiosk wrote holds a name,
an address, a birth date or a phone number, in any file it writes (its log, its outbox and staff cache, Kivy's
state, its home and temporary directories); and the server keeps the birth date a migration sent and the facts
a renewal compared only where they belong (the patron record, and the moved address the counter needs).

Printed tickets are the paper the patron takes away; their file copies (the demo's file printer) are not
scanned here (tests/printer reads what a ticket carries)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import server_env
from tests.ui.test_migration import enter_pin, start_migration
from tests.ui.test_registration import PHONE

MOVED_CARD = "2000000071"  # different_pins: expired, the library holds the address before the move


def spellings(day: date) -> list[str]:
    """A birth date as code or a person might write it."""
    return [day.isoformat(), day.strftime("%Y%m%d"), day.strftime("%Y/%m/%d"),
            f"{day.year}年{day.month}月{day.day}日", f"{day.year}.{day.month}.{day.day}"]


def personal(persona) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every string by which a persona's facts could be found, with what it is."""
    family, given = persona.name.split(" ")
    found = {persona.name: "name", persona.name.replace(" ", ""): "name", family + given: "name",
             persona.address: "address", persona.address[3:9]: "part of the address"}
    found.update({spelling: "birth date" for spelling in spellings(persona.birth_date)})
    return found


def matches(data: bytes, needles: dict[str, str]) -> list[str]:
    return [f"{what} ({needle})" for needle, what in needles.items() if needle.encode() in data]


def files_under(*roots: Path) -> list[Path]:
    return sorted(path for root in roots if root.exists() for path in root.rglob("*") if path.is_file())


@pytest.fixture
def kiosk_side(tmp_path: Path) -> Path:
    return tmp_path / "kiosk-side"


@pytest.fixture
def private_kiosk(display: str, fresh_server: ServerProcess, private_pcscd: object, kiosk_side: Path,
                  tmp_path: Path) -> Iterator[KioskProcess]:
    """The card kiosk, with every directory it may write to of its own: Kivy's, its data (outbox, staff cache),
    its home and its temporary directory; its log beside them."""
    for name in ("home", "tmp"):
        (kiosk_side / name).mkdir(parents=True)
    env = kiosk_env(display, kiosk_side / "kivy", **server_env(fresh_server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"),
                    HOME=str(kiosk_side / "home"), TMPDIR=str(kiosk_side / "tmp"),
                    XDG_CACHE_HOME=str(kiosk_side / "home" / ".cache"))
    app = KioskProcess(env, kiosk_side / "kiosk.log")
    app.server = fresh_server  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        app.stop()


def type_pin(kiosk: KioskProcess, digits: str) -> None:
    for digit in digits:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")


def both_pins(kiosk: KioskProcess, persona) -> None:  # type: ignore[no-untyped-def]
    kiosk.wait_screen("migrate_same_pin", timeout=20)
    kiosk.tap("different")
    kiosk.wait_screen("pin_pad", timeout=20)
    type_pin(kiosk, persona.text_pin)
    kiosk.wait_for(lambda s: s["screen"] == "pin_pad" and "利用者証明用電子証明書の暗証番号（4桁）" in s["texts"],
                   timeout=30)
    type_pin(kiosk, persona.auth_pin)


def migration(kiosk: KioskProcess, persona) -> None:  # type: ignore[no-untyped-def]
    state = start_migration(kiosk, persona.library_card)
    assert state["screen"] == "migrate_same_pin", state
    kiosk.tap("same")
    enter_pin(kiosk, persona.auth_pin)  # one PIN for both: the birth date is read, then the card signs
    kiosk.wait_for(lambda s: "切り替えが完了しました" in s["texts"], timeout=30)
    kiosk.tap("done")
    kiosk.wait_screen("attract")


def take_card(kiosk: KioskProcess, insert_card) -> None:  # type: ignore[no-untyped-def]
    insert_card.remove()  # the patron takes the card: the next one can start
    kiosk.wait_for(lambda s: not s["card_left"])


def renewal_request(kiosk: KioskProcess, persona) -> None:  # type: ignore[no-untyped-def]
    kiosk.check_expiry_by_number(MOVED_CARD)
    kiosk.tap("request_renewal")
    kiosk.wait_screen("renewal_way", timeout=20)
    kiosk.tap("with_card")
    both_pins(kiosk, persona)
    state = kiosk.wait_screen("renewal_review", timeout=30)
    assert f"住所：{persona.address}" in state["texts"], "the card's facts were read and shown"
    kiosk.tap("send")
    kiosk.wait_for(lambda s: "更新の申し込みを受け付けました" in s["texts"], timeout=30)
    kiosk.tap("done")
    kiosk.wait_screen("attract")


def registration_application(kiosk: KioskProcess, persona) -> None:  # type: ignore[no-untyped-def]
    kiosk.tap("btn_registration")
    kiosk.wait_screen("registration_intro", timeout=20)
    kiosk.tap("with_card")
    both_pins(kiosk, persona)
    state = kiosk.wait_screen("registration_review", timeout=30)
    assert f"氏名：{persona.name}" in state["texts"], "the card's facts were read and shown"
    kiosk.tap("edit_phone")
    kiosk.wait_screen("registration_contact")
    for digit in PHONE:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: f"電話番号：{PHONE}" in s["texts"])
    kiosk.tap("send")
    kiosk.wait_for(lambda s: "登録の申請を受け付けました" in s["texts"], timeout=30)
    kiosk.tap("done")
    kiosk.wait_screen("attract")


def test_nothing_personal_stays_on_the_kiosk_or_where_it_does_not_belong_on_the_server(
        private_kiosk: KioskProcess, insert_card, test_pki, kiosk_side: Path) -> None:  # type: ignore[no-untyped-def]
    migrating, renewing, applying = (test_pki.personas[key] for key in ("normal", "different_pins", "no_old_link"))
    insert_card("normal")
    private_kiosk.wait_screen("attract")
    migration(private_kiosk, migrating)
    take_card(private_kiosk, insert_card)
    insert_card("different_pins")
    renewal_request(private_kiosk, renewing)
    take_card(private_kiosk, insert_card)
    insert_card("no_old_link")
    registration_application(private_kiosk, applying)
    private_kiosk.stop()  # everything it buffered is written out

    # The kiosk: every file it wrote, whole (a SQLite file's free pages included).
    needles = {**personal(migrating), **personal(renewing), **personal(applying), PHONE: "phone number"}
    written = files_under(kiosk_side)
    assert kiosk_side / "kiosk-data" / "outbox.sqlite3" in written and (kiosk_side / "kiosk.log").stat().st_size
    found = {str(path.relative_to(kiosk_side)): hits
             for path in written if (hits := matches(path.read_bytes(), needles))}
    assert found == {}, f"personal data in the kiosk's files: {found}"

    # The server: the migration sent a birth date, the renewal compared a name, an address and a birth date;
    # each stays only in its homes (the library's patron record; the renewal request's moved address).
    server = private_kiosk.server  # type: ignore[attr-defined]
    for persona, homes in ((migrating, {"patrons"}), (renewing, {"patrons", "renewal_requests"})):
        found = server_tables_holding(Path(server.database_url.removeprefix("sqlite:///")), personal(persona))
        assert "patrons" in found, "the search finds the patron record (it can find at all)"
        stray = {table: hits for table, hits in found.items() if table not in homes}
        assert stray == {}, f"{persona.key}'s facts kept outside their homes on the server: {stray}"


def server_tables_holding(database: Path, needles: dict[str, str]) -> dict[str, list[str]]:
    """Each table of the server's database with a row that holds one of ``needles``."""
    found = {}
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            rows = "\n".join(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))  # the database's own names
            if hits := matches(rows.encode(), needles):
                found[table] = hits
    return found

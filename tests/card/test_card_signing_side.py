"""The JPKI AP's 署名用 side (EFs 001B, 001A, 0001, 0002) is on the card and never touched by the kiosk.

The virtual card holds the real card's whole JPKI file set so that OpenSC binds
it (tests/card/test_opensc_interop.py). The kiosk's flows use only the
利用者証明用 side: seen here from the virtual card's own record of every APDU
that reached it through the real pcscd, after a check-up and a full switch to
MyKey run by the kiosk's flows, effects and API client against the real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.card import ForbiddenFileError, JpkiSession
from kiosk.card.apdu import Aid, Fid
from kiosk.clock import library_today
from kiosk.config import KioskSettings
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup as c
from kiosk.flows import common
from kiosk.flows import migration as m
from tests.card.test_checkup_personas import TODAY, run_check_up, settings_for
from tests.support.server_proc import start_server
from virtualcard.card import AID_JPKI, AID_TEXT, SW_SECURITY, VirtualCard
from virtualcard.fake import FakeConnection

SIGNING_SIDE = {0x001B: "署名用 password", 0x001A: "署名用 key", 0x0001: "署名用 certificate",
                0x0002: "署名用 CA certificate"}
SELECT_AID = bytes.fromhex("00A4040C")
SELECT_EF = bytes.fromhex("00A4020C")


def signing_side_touches(commands: list[bytes]) -> list[str]:
    """Every command that selects a 署名用 EF of the JPKI AP, or reads by SFI (which needs no SELECT)."""
    touches, current_aid = [], None
    for command in commands:
        if command[:4] == SELECT_AID:
            current_aid = command[5:]
        elif command[:4] == SELECT_EF and current_aid == AID_JPKI:
            fid = int.from_bytes(command[5:7], "big")
            if fid in SIGNING_SIDE:
                touches.append(f"{command.hex().upper()} ({SIGNING_SIDE[fid]})")
        elif command[1] == 0xB0 and command[2] & 0x80:
            touches.append(f"{command.hex().upper()} (READ BINARY by SFI)")
    return touches


def test_the_checker_flags_signing_files_only_in_the_jpki_ap() -> None:
    jpki, text = SELECT_AID + bytes((10,)) + AID_JPKI, SELECT_AID + bytes((10,)) + AID_TEXT
    for fid in SIGNING_SIDE:
        assert signing_side_touches([jpki, SELECT_EF + bytes((2,)) + fid.to_bytes(2, "big")])
    assert signing_side_touches([bytes.fromhex("00B08A0004")])
    # The 入力補助AP's EF 0002 (基本4情報) is another file with the same number.
    assert signing_side_touches([text, SELECT_EF + bytes.fromhex("020002")]) == []


def test_the_virtual_card_holds_the_signing_side_with_its_access_rules(test_pki) -> None:
    persona = test_pki.personas["normal"]
    card = VirtualCard.for_persona(persona)
    conn = FakeConnection(card)

    def send(hex_command: str) -> tuple[bytes, int]:
        return conn.send_and_receive(bytes.fromhex(hex_command))

    assert send("00A4040C0A" + AID_JPKI.hex())[1] == 0x9000
    assert send("00A4020C020002")[1] == 0x9000  # the 署名用 CA: anyone may read it
    data, sw = send("00B0000004")
    assert sw == 0x9000 and data[:2] == b"\x30\x82"
    assert send("00A4020C020001")[1] == 0x9000
    assert send("00B0000004")[1] == SW_SECURITY  # the 署名用 certificate needs the password
    assert send("00A4020C02001B")[1] == 0x9000
    assert send("00200080")[1] == 0x63C5  # five tries
    assert send("0020008006" + b"WRONG1".hex())[1] == 0x63C4
    assert send("00200080" + f"{len(persona.signing.password):02X}" + persona.signing.password.encode().hex())[1] \
        == 0x9000
    assert send("00A4020C020001")[1] == 0x9000
    data, sw = send("00B0000004")
    assert sw == 0x9000 and (data[2] << 8 | data[3]) + 4 == len(persona.signing.cert_der)


@pytest.mark.parametrize("fid", sorted(SIGNING_SIDE))
def test_the_gate_refuses_every_signing_file(open_card, fid: int) -> None:
    conn, card = open_card("normal")
    session = JpkiSession(conn)
    before = len(card.history)
    with pytest.raises(ForbiddenFileError):
        session.protocol.transmit(SELECT_EF + bytes((2,)) + fid.to_bytes(2, "big"))
    assert len(card.history) == before  # nothing reached the card
    assert (bytes(Aid.JPKI), fid) not in {(bytes(f.aid), f.fid) for f in Fid}


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[Performer, KioskSettings]]:
    """The kiosk's effects as the app runs them, with the real server (demo data) on SQLite."""
    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat()})
    settings = settings_for(server, tmp_path)
    yield Performer(settings), settings
    server.stop()


def run_switch(performer: Performer, settings: KioskSettings, card_number: str, auth_pin: str,
               text_pin: str) -> m.MigrationFlow:
    """The switch to MyKey as the app runs it, from the check-up's card number to the outcome."""
    flow = m.MigrationFlow(settings.barcode.pattern, today=library_today)
    flow.handle(m.Begin(card_number))
    effects = flow.handle(m.Agree())
    for _ in range(20):
        while effects:
            effects = [e for effect in effects for e in flow.handle(performer.perform(effect))]
        state = flow.state
        if isinstance(state, cs.SamePin):
            effects = flow.handle(cs.PinsAreSame(False))
        elif isinstance(state, cs.EnteringPin):
            for digit in text_pin if state.step is cs.PinStep.TEXT else auth_pin:
                flow.handle(common.Digit(digit))
            effects = flow.handle(common.Submit())
        else:
            return flow
    raise AssertionError(f"the switch did not settle: {flow.state}")


def test_kiosk_flows_never_touch_the_signing_side(kiosk, insert_card, test_pki) -> None:
    performer, settings = kiosk
    persona = test_pki.personas["normal"]
    card = insert_card("normal")

    checked = run_check_up(performer, [persona.auth_pin])
    assert isinstance(checked.state, c.Report) and checked.state.steps == (c.Step.MIGRATE,), checked.state
    switched = run_switch(performer, settings, "2000000014", persona.auth_pin, persona.text_pin)
    assert isinstance(switched.state, m.Completed), switched.state

    history = list(card.history)
    # The log is complete: both applications, the auth certificate, PIN and key, and the 基本4情報 were used.
    for expected in (SELECT_EF + bytes.fromhex("02000A"), SELECT_EF + bytes.fromhex("020018"),
                     SELECT_EF + bytes.fromhex("020017"), SELECT_EF + bytes.fromhex("020002")):
        assert expected in history
    assert any(cmd[:5] == SELECT_AID + bytes((10,)) and cmd[5:] == AID_TEXT for cmd in history)
    assert signing_side_touches(history) == []
    assert card.files[(AID_JPKI, 0x001B)].tries == persona.signing.tries  # never tried either

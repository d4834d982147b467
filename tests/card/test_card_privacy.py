"""The 個人番号 file (入力補助AP EF 0001) and the 券面AP are never touched, seen from three sides.

1. pcscd's own APDU log (-a), in a temporary directory, of a full migration read
   run by a separate process with its own private stack;
2. a recording wrapper around the kiosk's connection;
3. the virtual card's record of what reached it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.card import ForbiddenFileError, JpkiSession, TextApSession
from kiosk.card.apdu import Aid, Fid
from kiosk.card.protocol import CardProtocol
from tests.card.migration_read import migration_read
from virtualcard.card import AID_TEXT, AID_VISUAL
from virtualcard.fake import RecordingConnection

REPO = Path(__file__).resolve().parents[2]
SELECT_AID = "00A4040C0A"
SELECT_EF = "00A4020C02"


def forbidden_selects(commands: list[str]) -> list[str]:
    """SELECTs of EF 0001 while the 入力補助AP is current, and any SELECT of the 券面AP."""
    bad, current = [], None
    for command in commands:
        if command.startswith("00A404"):
            current = command[10:]
            if current == AID_VISUAL.hex().upper():
                bad.append(command)
        elif command.startswith("00A402") and current == AID_TEXT.hex().upper() and command.endswith("0001"):
            bad.append(command)
        elif command.startswith("00B0") and int(command[4:6], 16) & 0x80:
            bad.append(command)  # a read by SFI could reach EF 0001 without a SELECT
    return bad


def test_pcscd_apdu_log_of_migration_read_never_touches_my_number(tmp_path, test_pki):
    result = subprocess.run(
        [sys.executable, "-m", "tests.card.migration_read", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["name_ok"]

    log_path = tmp_path / "pcscd.log"
    log = log_path.read_text(errors="replace")
    log_path.unlink()  # it holds PINs (test personas' only, but pytest keeps tmp dirs around)
    logged = [m.replace(" ", "") for m in re.findall(r"APDU: ([0-9A-F ]+?)\s*$", log, flags=re.M)]
    # The log is complete: the 入力補助AP was selected and its EF 0002 read, PIN bytes included.
    assert SELECT_AID + AID_TEXT.hex().upper() in logged
    assert SELECT_EF + "0002" in logged
    assert "002000800431323334" in logged
    # pcscd saw exactly what the kiosk sent (the recorder keeps only the header of a PIN-bearing VERIFY).
    redacted = [c[:10] if c.startswith("00200080") and len(c) > 10 else c for c in logged]
    assert redacted == report["commands"]
    assert forbidden_selects(logged) == []
    assert forbidden_selects(report["commands"]) == []
    fake_number = test_pki.personas["normal"].fake_my_number.encode().hex(" ").upper()
    assert fake_number not in log


def test_recording_wrapper_and_card_see_no_my_number_access(open_card, test_pki):
    persona = test_pki.personas["normal"]
    conn, card = open_card("normal")
    recorder = RecordingConnection(conn)
    migration_read(recorder, persona.auth_pin, persona.text_pin, b"challenge")
    sent = [c.hex().upper() for c in recorder.commands]
    assert SELECT_EF + "0002" in sent
    assert forbidden_selects(sent) == []
    assert forbidden_selects([c.hex().upper() for c in card.history]) == []


def test_forbidden_selects_would_be_detected():
    # The checker itself can fail: it flags the very commands the kiosk must never send.
    assert forbidden_selects([SELECT_AID + AID_TEXT.hex().upper(), SELECT_EF + "0001"])
    assert forbidden_selects([SELECT_AID + AID_VISUAL.hex().upper()])
    assert forbidden_selects(["00B0810300"])


@pytest.mark.parametrize(
    "command",
    [
        SELECT_EF + "0001",  # 個人番号
        SELECT_EF + "0014",  # PIN A
        SELECT_EF + "0015",  # PIN B
        "00B081030C",  # READ BINARY by SFI 1
        "00200091" + "04" + "31323334",  # VERIFY by SFI
        "00240180" + "04" + "31323334",  # CHANGE REFERENCE DATA
    ],
)
def test_gate_refuses_commands_outside_whitelist_in_text_ap(open_card, command):
    conn, card = open_card("normal")
    text = TextApSession(conn)
    before = len(card.history)
    with pytest.raises(ForbiddenFileError):
        text.protocol.transmit(bytes.fromhex(command))
    assert len(card.history) == before  # nothing reached the card


def test_gate_refuses_visual_ap_and_foreign_files(open_card):
    conn, card = open_card("normal")
    protocol = CardProtocol(conn)
    with pytest.raises(ForbiddenFileError):
        protocol.transmit(bytes.fromhex(SELECT_AID) + AID_VISUAL)
    with pytest.raises(ForbiddenFileError):
        protocol.transmit(bytes.fromhex(SELECT_EF + "000A"))  # no application selected yet
    JpkiSession(protocol)
    with pytest.raises(ForbiddenFileError):
        protocol.transmit(bytes.fromhex(SELECT_EF + "0001"))  # JPKI sign certificate: not needed
    with pytest.raises(ForbiddenFileError):
        protocol.select_file(Fid.TEXT_BASIC_FOUR)  # belongs to the other application
    assert all(not c.startswith(bytes.fromhex(SELECT_AID) + AID_VISUAL) for c in card.history)


def test_whitelist_has_no_my_number_file():
    assert (bytes(Aid.TEXT), 0x0001) not in {(bytes(f.aid), f.fid) for f in Fid}
    assert AID_VISUAL not in {bytes(a) for a in Aid}


def test_card_layer_source_names_no_forbidden_file():
    # No code in kiosk/ may spell the 券面AP's AID (a second line of defence to the gate).
    hits = [p for p in (REPO / "kiosk").rglob("*.py") if AID_VISUAL.hex().upper() in p.read_text().upper()]
    assert hits == []



def test_gate_follows_raw_selects(open_card):
    # Switching application with a hand-built SELECT cannot trick the gate into the 入力補助AP's EF 0001.
    conn, card = open_card("normal")
    jpki = JpkiSession(conn)
    jpki.protocol.transmit(bytes.fromhex(SELECT_AID) + AID_TEXT)
    assert jpki.protocol.current_aid == AID_TEXT
    with pytest.raises(ForbiddenFileError):
        jpki.protocol.transmit(bytes.fromhex(SELECT_EF + "0001"))
    assert jpki.read_token() == b"JPKIAPICCTOKEN2"  # the session re-selects its own application
    assert forbidden_selects([c.hex().upper() for c in card.history]) == []

"""OpenSC, a client nobody here wrote, against the virtual card on this run's private pcscd.

Debian 12's OpenSC 0.23 (opensc, opensc-pkcs11) names the card with its `jpki`
driver, binds its PKCS#15 emulation, reads the certificates and signs with the
利用者証明用 key, as it does with a real My Number card. OpenSC's tools reach
pcscd through libpcsclite, which reads PCSCLITE_CSOCK_NAME as pyscard does, so
they talk to this run's private pcscd; OPENSC_CONF points at a private
configuration (the pcsc reader driver, no file cache: every persona's card has
the same dummy serial 00000000, so a cache would mix them up). Each tool runs to
its exit; nothing waits on time.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.card import JpkiSession
from kiosk.card.pcsc import PcscConnection
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from tests.card.test_checkup_personas import TODAY, run_check_up, settings_for
from tests.support.server_proc import start_server
from virtualcard.card import AID_JPKI
from virtualcard.pcscd import READER_NAME

AUTH_TOKEN = "JPKI (User Authentication PIN)"
SIGN_TOKEN = "JPKI (Digital Signature PIN)"
OPENSC_CONF = """\
app default {
	debug = 0;
	reader_driver pcsc {
	}
	framework pkcs15 {
		use_file_caching = no;
	}
}
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


def pkcs11_module() -> str:
    """OpenSC's PKCS#11 module, wherever the Debian package put it for this architecture."""
    found = sorted(glob.glob("/usr/lib/*/opensc-pkcs11.so")) + sorted(glob.glob("/usr/lib/*/pkcs11/opensc-pkcs11.so"))
    assert found, "opensc-pkcs11 is not installed (scripts/bootstrap.sh test installs it)"
    return found[0]


@pytest.fixture
def opensc(private_pcscd, tmp_path: Path) -> Run:
    """`opensc('pkcs15-tool', '--list-pins')` runs an OpenSC tool on this run's pcscd until it exits."""
    conf = tmp_path / "opensc.conf"
    conf.write_text(OPENSC_CONF)
    env = {**os.environ, **private_pcscd.env, "OPENSC_CONF": str(conf), "HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # The timeout only bounds a hung tool; the test goes on when the process exits.
        return subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    return run


def pkcs11_tool(opensc: Run, *args: str) -> subprocess.CompletedProcess[str]:
    return opensc("pkcs11-tool", "--module", pkcs11_module(), *args)


def verified_pin_efs(card) -> list[int]:  # type: ignore[no-untyped-def]
    """The PIN EFs of the JPKI AP that received a VERIFY with a PIN, in order (from the card's log)."""
    out, current_aid, current_ef = [], None, None
    for command in card.history:
        if command[:4] == bytes.fromhex("00A4040C"):
            current_aid = command[5:]
        elif command[:4] == bytes.fromhex("00A4020C"):
            current_ef = int.from_bytes(command[5:7], "big")
        elif command[1] == 0x20 and len(command) == 5 and current_aid == AID_JPKI:
            out.append(current_ef)
    return out


def test_opensc_names_binds_reads_and_signs_with_the_normal_card(opensc: Run, insert_card, test_pki,
                                                                 tmp_path: Path) -> None:
    persona = test_pki.personas["normal"]
    card = insert_card("normal")

    named = opensc("opensc-tool", "-n")
    assert named.returncode == 0, named.stderr
    assert named.stdout.strip() == "jpki"
    assert f"Using reader with a card: {READER_NAME}" in named.stderr

    listed = opensc("pkcs15-tool", "--list-certificates")
    assert listed.returncode == 0, listed.stderr  # was "PKCS#15 binding failed: Unsupported card"
    labels = re.findall(r"^X\.509 Certificate \[(.+)\]$", listed.stdout, flags=re.M)
    assert labels == ["User Authentication Certificate", "Digital Signature Certificate",
                      "User Authentication Certificate CA", "Digital Signature Certificate CA"]
    paths = re.findall(r"^\s+Path\s+: (\w+)$", listed.stdout, flags=re.M)
    assert paths == ["000a", "0001", "000b", "0002"]

    read = opensc("pkcs15-tool", "--read-certificate", "01")
    assert read.returncode == 0, read.stderr
    auth_cert = x509.load_pem_x509_certificate(read.stdout.encode())
    assert auth_cert == persona.cert
    sign_ca = opensc("pkcs15-tool", "--read-certificate", "04")
    assert sign_ca.returncode == 0, sign_ca.stderr
    assert x509.load_pem_x509_certificate(sign_ca.stdout.encode()) == persona.signing.issuer_cert
    # The 署名用 certificate names the holder: the card gives it only after the 署名用 password.
    private = opensc("pkcs15-tool", "--read-certificate", "02")
    assert private.returncode != 0 and "BEGIN CERTIFICATE" not in private.stdout
    unlocked = opensc("pkcs15-tool", "--read-certificate", "02", "--verify-pin", "--auth-id", "02",
                      "--pin", persona.signing.password)
    assert unlocked.returncode == 0, unlocked.stderr
    assert x509.load_pem_x509_certificate(unlocked.stdout.encode()) == persona.signing.cert

    message = tmp_path / "message.txt"
    message.write_bytes("佐賀県立図書館 OpenSC interop".encode())
    signed = pkcs11_tool(opensc, "--token-label", AUTH_TOKEN, "--login", "--pin", persona.auth_pin, "--sign",
                         "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", str(message), "-o", str(tmp_path / "sig"))
    assert signed.returncode == 0, signed.stderr
    signature = (tmp_path / "sig").read_bytes()
    # Verified with the certificate OpenSC read: raises InvalidSignature on any mismatch.
    auth_cert.public_key().verify(signature, message.read_bytes(), padding.PKCS1v15(), hashes.SHA256())
    assert verified_pin_efs(card) == [0x001B, 0x0018]  # the password for 0001, then the PIN for the key


def test_opensc_signs_with_the_signing_key_after_the_signing_password(opensc: Run, insert_card, test_pki,
                                                                      tmp_path: Path) -> None:
    persona = test_pki.personas["normal"]
    card = insert_card("normal")
    message = tmp_path / "contract.txt"
    message.write_bytes(b"a document signed with the card's signing key")
    signed = pkcs11_tool(opensc, "--token-label", SIGN_TOKEN, "--login", "--pin", persona.signing.password,
                         "--sign", "--id", "02", "-m", "SHA256-RSA-PKCS", "-i", str(message),
                         "-o", str(tmp_path / "sig"))
    assert signed.returncode == 0, signed.stderr
    persona.signing.cert.public_key().verify((tmp_path / "sig").read_bytes(), message.read_bytes(),
                                             padding.PKCS1v15(), hashes.SHA256())
    # The signing key asks for the password at every use (OpenSC's user_consent): at login, then again.
    assert verified_pin_efs(card) == [0x001B, 0x001B]


def tries_seen_by_opensc(opensc: Run) -> list[int]:
    """Tries left of the 利用者証明用 PIN and the 署名用 password, as pkcs15-tool reads them."""
    pins = opensc("pkcs15-tool", "--list-pins")
    assert pins.returncode == 0, pins.stderr
    return [int(n) for n in re.findall(r"Tries left\s+: (\d+)", pins.stdout)]


@pytest.fixture
def kiosk_performer(tmp_path: Path) -> Iterator[Performer]:
    """The kiosk's effects as the app runs them, with the real server (demo data) on SQLite."""
    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat()})
    yield Performer(settings_for(server, tmp_path))
    server.stop()


def test_wrong_pin_through_pkcs11_tool_counts_down_the_tries_the_kiosk_shows(
        opensc: Run, insert_card, kiosk_performer: Performer) -> None:
    card = insert_card("normal")
    wrong = pkcs11_tool(opensc, "--token-label", AUTH_TOKEN, "--login", "--pin", "0000", "--list-objects")
    assert wrong.returncode != 0
    assert "CKR_PIN_INCORRECT" in wrong.stderr
    assert card.files[(AID_JPKI, 0x0018)].tries == 2

    # The kiosk's card layer, through the same pcscd, reads what OpenSC left ...
    with PcscConnection(READER_NAME) as conn:
        assert JpkiSession(conn).auth_pin_tries_left() == 2
    # ... and the check-up flow's PIN pad shows it, before the patron types anything.
    flow = run_check_up(kiosk_performer, [])
    assert isinstance(flow.state, cs.EnteringPin) and flow.state.step is cs.PinStep.AUTH, flow.state
    assert flow.state.tries == 2 and not flow.state.wrong

    # And the other way round: a wrong PIN at the kiosk is what OpenSC then reports.
    flow = run_check_up(kiosk_performer, ["1111"])
    assert isinstance(flow.state, cs.EnteringPin) and flow.state.wrong and flow.state.tries == 1
    assert tries_seen_by_opensc(opensc) == [1, 5]


def test_opensc_binds_a_card_whose_pin_is_blocked(opensc: Run, insert_card) -> None:
    # The tries query of a blocked PIN answers 63C0; with 6984 OpenSC refused the whole card.
    insert_card("blocked")
    assert tries_seen_by_opensc(opensc) == [0, 5]
    listed = opensc("pkcs15-tool", "--list-certificates")
    assert listed.returncode == 0, listed.stderr


def test_opensc_refuses_a_card_answering_6984_to_the_tries_query(opensc: Run, insert_card) -> None:
    # Why the virtual card answers 63C0: OpenSC reads both PINs' tries while binding and takes only SW1=63.
    insert_card("blocked", blocked_tries_sw=0x6984)
    listed = opensc("pkcs15-tool", "--list-certificates")
    assert listed.returncode != 0
    assert "PKCS#15 binding failed" in listed.stderr

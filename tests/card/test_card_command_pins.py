"""Every card command of every flow wipes every PIN it was handed, whatever it ends in, and ends in an event,
never an exception: through the real card (virtual card on vpcd via this run's private pcscd) and the kiosk's
real effects, with a server that does not answer (no command here needs one to reach its end)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.card.pin import Pin
from kiosk.config import load
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, expiry, registration, renewal
from kiosk.flows import migration as mig
from tests.support.ports import free_port
from virtualcard.card import AID_JPKI

AUTH_PIN_EF = (AID_JPKI, 0x0018)
CERT = b"\x30\x00"  # never reaches a server here
Pins = tuple[Pin, Pin]  # (利用者証明用, 入力補助)

# Each card command the flows send, built from the PINs the patron typed; the shared-PIN forms hand both.
EFFECTS: dict[str, Callable[[Pins], object]] = {
    "migration birth date": lambda p: mig.ReadBirthDate(p[1], False),
    "migration sign, shared PIN": lambda p: mig.SignAndSubmit("2000000014", CERT, p[0], False, "k1", text_pin=p[1]),
    "renewal facts": lambda p: renewal.ReadFacts(p[1], False),
    "renewal proof, shared PIN": lambda p: renewal.Prove(CERT, p[0], False, p[1], "2000000014", "k2"),
    "registration facts": lambda p: registration.ReadFacts(p[1], False),
    "registration sign, shared PIN": lambda p: registration.Sign(CERT, p[0], False, p[1]),
    "check-up": lambda p: checkup.CheckUp(CERT, p[0], False, "k3"),
    "expiry by card": lambda p: expiry.LookupExpiryByCard(CERT, p[0], False, "k4"),
}
READS_ONLY = {"migration birth date", "renewal facts", "registration facts"}


@pytest.fixture
def performer(tmp_path: Path) -> Performer:
    """The kiosk's effects, with a server address where nothing listens."""
    return Performer(load(environ={
        "KIOSK_SERVER_URL": f"http://127.0.0.1:{free_port()}", "KIOSK_SERVER_KIOSK_ID": "kiosk-x",
        "KIOSK_SERVER_SECRET": "s" * 32, "KIOSK_SERVER_TIMEOUT_S": "2",
        "KIOSK_PRINTER_DIRECTORY": str(tmp_path / "printed"), "KIOSK_OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"),
    }))


def perform(performer: Performer, name: str, auth: str, text: str) -> tuple[object, list[bytearray]]:
    """The command's event, and the buffers of the PINs it was handed (each typed into its own)."""
    buffers = {"auth": bytearray(auth.encode()), "text": bytearray(text.encode())}
    pins = (Pin(buffers["auth"]), Pin(buffers["text"]))
    effect = EFFECTS[name](pins)
    handed = [buffers[role] for role, pin in zip(buffers, pins, strict=True)
              if any(value is pin for value in vars(effect).values())]
    assert handed, "the command was handed no PIN"
    return performer.perform(effect), handed


def failure_of(event: object) -> str:
    return str(getattr(event, "failure", getattr(event, "reason", event)))


@pytest.mark.parametrize("name", EFFECTS)
def test_pins_are_wiped_when_the_server_is_down(name: str, performer: Performer, insert_card) -> None:
    # A wrong 利用者証明用 PIN: the challenge comes first, so with the server down no try is spent.
    card = insert_card("normal")
    event, buffers = perform(performer, name, "0000", "1234")
    if name in READS_ONLY:
        assert isinstance(event, (mig.BirthDateRead, cs.FactsRead)), event
    else:
        assert failure_of(event) == "server_unreachable", event
    assert buffers == [bytearray(4)] * len(buffers)
    assert card.files[AUTH_PIN_EF].tries == 3


@pytest.mark.parametrize("name", EFFECTS)
def test_pins_are_wiped_when_the_card_is_gone(name: str, performer: Performer, insert_card) -> None:
    insert_card("normal")
    insert_card.remove()
    event, buffers = perform(performer, name, "1234", "1234")
    assert isinstance(event, cs.CardFailed) and event.trouble is cs.CardTrouble.NO_CARD, event
    assert buffers == [bytearray(4)] * len(buffers)


@pytest.mark.parametrize("name", [name for name in EFFECTS if "shared" in name])
def test_a_wrong_shared_pin_wipes_the_pin_never_sent(name: str, performer: Performer, insert_card) -> None:
    # The 入力補助 PIN is refused first: the 利用者証明用 PIN is never sent, spends no try and is wiped all the same.
    card = insert_card("normal")
    event, buffers = perform(performer, name, "1234", "9999")
    assert isinstance(event, cs.PinWrong) and event.step is cs.PinStep.TEXT and event.tries == 2, event
    assert buffers == [bytearray(4)] * len(buffers)
    assert card.files[AUTH_PIN_EF].tries == 3

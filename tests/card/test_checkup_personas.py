"""The card check-up of every persona through the real card (virtual card on vpcd via this run's private
pcscd) and the real server: the flow, the Performer and the API client as the app runs them."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.card.pin import Pin
from kiosk.clock import library_today
from kiosk.config import KioskSettings, load
from kiosk.effects import Performer
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup as c
from kiosk.flows import common
from kiosk.flows import migration as m
from kiosk.flows.expiry import CardStatus
from tests.support.server_proc import ServerProcess, start_server
from virtualcard.personas import SPECS

TODAY = date(2026, 6, 15)  # the server's "today", as in the UI and fault tests


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh server on SQLite with the demo data set (each test may change links and dates)."""
    started = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                           settings={"SERVER_TODAY": TODAY.isoformat()})
    yield started
    started.stop()


def settings_for(server: ServerProcess, tmp_path: Path) -> KioskSettings:
    return load(environ={
        "KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_KIOSK_ID": server.kiosk_id,
        "KIOSK_SERVER_SECRET": server.kiosk_secret, "KIOSK_SERVER_TIMEOUT_S": "10",
        "KIOSK_PRINTER_DIRECTORY": str(tmp_path / "printed"), "KIOSK_OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"),
    })


def run_check_up(performer: Performer, pins: list[str], today: date | None = None) -> c.CheckupFlow:
    """Start the check-up and answer every effect with the real card and server, typing ``pins`` in turn.

    The kiosk's day is the real one (the test certificates are dated from it) unless ``today`` is given;
    the server's day is pinned to TODAY, which only dates the library cards."""
    flow = c.CheckupFlow(today=(lambda: today) if today else library_today)
    effects = flow.handle(c.Start())
    for _ in range(20):
        while effects:
            effects = [e for effect in effects for e in flow.handle(performer.perform(effect))]
        if isinstance(flow.state, cs.LastTryWarning):
            effects = flow.handle(cs.ConfirmLastTry())
        elif isinstance(flow.state, cs.EnteringPin) and pins:
            for digit in pins.pop(0):
                flow.handle(common.Digit(digit))
            effects = flow.handle(common.Submit())
        else:
            return flow
    raise AssertionError(f"the check-up did not settle: {flow.state}")


def report(flow: c.CheckupFlow) -> c.Report:
    assert isinstance(flow.state, c.Report), flow.state
    return flow.state


def test_every_persona_is_covered() -> None:
    assert {spec.key for spec in SPECS} == set(OUTCOMES)


def linked_old(card_number: str, status: CardStatus = CardStatus.VALID):  # type: ignore[no-untyped-def]
    def check(flow: c.CheckupFlow) -> None:
        r = report(flow)
        assert (r.view.link, r.view.card_number) == (c.Link.OLD, card_number)
        assert r.view.expiry is not None and r.view.expiry.status is status
        assert r.view.reference.startswith("C-")
        if status is CardStatus.VALID:
            assert r.steps == (c.Step.MIGRATE,) and c.counter_ticket_for(r) is None
        else:
            assert r.steps == (c.Step.MIGRATE, c.Step.RENEW_CARD)
            assert c.counter_ticket_for(r) == ("registration", "checkup_renewal", r.view.reference)
    return check


def not_linked(flow: c.CheckupFlow) -> None:
    r = report(flow)
    assert (r.view.link, r.view.card_number, r.view.expiry, r.steps) == (c.Link.NONE, None, None,
                                                                         (c.Step.FIRST_LINKAGE,))
    assert c.counter_ticket_for(r) == ("mynumber", "checkup_first_linkage", r.view.reference)


def stopped_at(state: object):  # type: ignore[no-untyped-def]
    def check(flow: c.CheckupFlow) -> None:
        assert flow.state == state
    return check


def pad_after_wrong_pin(flow: c.CheckupFlow) -> None:
    assert isinstance(flow.state, cs.EnteringPin) and flow.state.wrong and flow.state.tries == 2


# persona -> (PINs typed in turn, what the check-up ends in)
OUTCOMES = {
    "normal": (["1234"], linked_old("2000000014")),
    "wrong_then_right": (["1111", "2468"], linked_old("2000000022")),
    "one_try_left": (["1357"], linked_old("2000000030")),  # through the last-try confirmation
    "blocked": ([], stopped_at(cs.PinBlocked("", cs.PinStep.AUTH))),
    "expired_cert": ([], lambda flow: isinstance(flow.state, cs.CertificateExpired) or pytest.fail(str(flow.state))),
    "revoked_cert": (["2222"], stopped_at(c.Failed(c.Failure.CERTIFICATE_INVALID))),
    # Only the 利用者証明用 PIN is asked; the demo data set has this card expired (the renewal demo).
    "different_pins": (["1234"], linked_old("2000000071", CardStatus.EXPIRED)),
    "pulled_out": ([], stopped_at(cs.WaitingForCard("", cs.CardTrouble.REMOVED))),
    "no_old_link": (["4444"], not_linked),
    "renewed": (["1234"], not_linked),  # the old link names the first certificate; not switched yet
    "not_mynumber": ([], stopped_at(cs.WaitingForCard("", cs.CardTrouble.NOT_MY_NUMBER))),
    # My Number cards the kiosk cannot use: a result with a counter ticket, no PIN asked.
    "face_auth": ([], stopped_at(cs.CardUnusable("", cs.Unusable.FACE_AUTH_ONLY))),
    "next_generation": ([], stopped_at(cs.CardUnusable("", cs.Unusable.NEWER_CARD))),
}


@pytest.mark.parametrize("persona", list(OUTCOMES))
def test_check_up_of_each_persona(persona: str, server: ServerProcess, tmp_path: Path, insert_card) -> None:
    pins, check = OUTCOMES[persona]
    insert_card(persona, physical=persona in ("pulled_out", "not_mynumber"))
    performer = Performer(settings_for(server, tmp_path))
    flow = run_check_up(performer, list(pins))
    check(flow)
    if isinstance(flow.state, cs.CardUnusable):
        assert c.counter_ticket_for(flow.state) == ("mynumber", f"card_{flow.state.reason}", None)
    if persona == "wrong_then_right":
        flow = run_check_up(performer, ["1111"])  # a fresh card: the wrong PIN shows the tries left, nothing more
        pad_after_wrong_pin(flow)
    sent = performer.api.disclosures.snapshot().fields
    assert "card_number" not in sent and "birth_date" not in sent, "a check-up sends neither"
    if pins:
        assert set(sent) <= {"certificate", "signature", "challenge_id"}


def test_switched_card_and_its_renewed_certificate_report_mykey(server: ServerProcess, tmp_path: Path,
                                                                  insert_card, test_pki) -> None:
    insert_card("normal")
    performer = Performer(settings_for(server, tmp_path))
    switched = performer.perform(m.SignAndSubmit("2000000014", test_pki.personas["normal"].cert_der,
                                                 Pin(bytearray(b"1234")), False, str(uuid.uuid4())))
    assert isinstance(switched, m.Migrated), switched
    r = report(run_check_up(performer, ["1234"]))
    assert (r.view.link, r.view.card_number, r.steps) == (c.Link.MYKEY, "2000000014", (c.Step.NOTHING,))
    insert_card("renewed")  # same person, new certificate: the MyKey link still finds the library card
    r = report(run_check_up(performer, ["1234"]))
    assert (r.view.link, r.view.card_number) == (c.Link.MYKEY, "2000000014")


@pytest.mark.parametrize(
    ("birth_date", "registered_on", "status"),
    [(date(1980, 7, 1), date(2023, 1, 1), CardStatus.RENEWABLE), (date(1988, 12, 31), date(2022, 1, 1),
                                                                 CardStatus.EXPIRED)],
)
def test_renewable_or_expired_library_card_sends_the_patron_to_the_counter(
        birth_date: date, registered_on: date, status: CardStatus, server: ServerProcess, tmp_path: Path,
        insert_card) -> None:
    with sqlite3.connect(tmp_path / "server.db") as db:
        db.execute("UPDATE patrons SET birth_date = ?, registered_on = ? WHERE card_number = '2000000071'",
                   (birth_date.isoformat(), registered_on.isoformat()))
    insert_card("different_pins")
    r = report(run_check_up(Performer(settings_for(server, tmp_path)), ["1234"]))
    assert r.view.expiry is not None and r.view.expiry.status is status
    assert r.steps == (c.Step.MIGRATE, c.Step.RENEW_CARD)
    assert c.counter_ticket_for(r) == ("registration", "checkup_renewal", r.view.reference)


def test_certificate_expiring_within_three_months_is_reported(server: ServerProcess, tmp_path: Path,
                                                              insert_card, test_pki) -> None:
    """The date is read on the card; the kiosk's day is moved to 30 days before it (the server's check of the
    certificate uses its own clock, so the card is still valid for it)."""
    insert_card("no_old_link")
    not_after = test_pki.personas["no_old_link"].cert.not_valid_after_utc.date()
    performer = Performer(settings_for(server, tmp_path))
    r = report(run_check_up(performer, ["4444"], today=not_after - timedelta(days=30)))
    assert r.certificate_renew_soon
    assert abs((r.certificate_not_after - not_after).days) <= 1  # the card's date in the library's time zone
    assert r.steps == (c.Step.FIRST_LINKAGE, c.Step.RENEW_CERTIFICATE)
    r = report(run_check_up(performer, ["4444"], today=not_after - timedelta(days=120)))
    assert not r.certificate_renew_soon and r.steps == (c.Step.FIRST_LINKAGE,)

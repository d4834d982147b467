"""Kiosk outcome events: each flow's result states map to {service, outcome, reason}, one report per flow
run when it closes (abandoned when no result was reached), nothing personal in what is sent, and
delivery through the durable outbox to the real server, counted once however often it is resent."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests

from kiosk.api.client import KioskApiClient
from kiosk.clock import LIBRARY_TZ
from kiosk.deliveries import api_senders, is_permanent
from kiosk.flows import card_steps, checkup, expiry, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.flows.common import Back, Digit, Entering, Finished
from kiosk.flows.runner import FlowRunner
from kiosk.outbox import Outbox
from kiosk.statistics import (
    ABANDONED,
    COMPLETED,
    COUNTER,
    FAILED,
    OUTCOME_RULES,
    Outcome,
    SessionOutcome,
    outcome_of,
    payload,
    put_outcome,
)
from tests.support.server_proc import ServerProcess, start_server

CARD = "2000000014"
AT = datetime(2026, 6, 15, 14, 37, 12, tzinfo=LIBRARY_TZ)
FACTS = card_steps.CardFacts(b"cert", date(2030, 1, 1), 3, 3)
VIEW = ticket.TicketView("t1", "M-007", "mynumber", "マイナンバー", "My Number", AT, 2, 5, "http://x/t/abc",
                         reason="no_old_link", reference="R-42")


@pytest.mark.parametrize(("flow", "state", "expected"), [
    ("migrate", mig.Completed(CARD, date(2026, 6, 15)), (COMPLETED, None)),
    ("migrate", mig.Pending(CARD, "R-42"), (COUNTER, "migration_pending")),
    ("migrate", mig.Refused(CARD, mig.Refusal.NO_OLD_LINK), (COUNTER, "no_old_link")),
    ("migrate", mig.Refused(CARD, mig.Refusal.SERVER_UNREACHABLE), (FAILED, "server_unreachable")),
    ("migrate", mig.Refused(CARD, mig.Refusal.CERTIFICATE_REVOKED), (FAILED, "certificate_revoked")),
    ("migrate", card_steps.CertificateExpired(CARD, date(2025, 1, 1)), (FAILED, "certificate_expired")),
    ("migrate", card_steps.PinBlocked(CARD, card_steps.PinStep.AUTH), (FAILED, "pin_blocked")),
    ("expiry", expiry.Shown(CARD, expiry.ExpiryView(date(2027, 1, 1), date(2026, 12, 1), 200,
                                                    expiry.CardStatus.RENEWABLE)), (COMPLETED, "renewable")),
    ("expiry", expiry.Failed(CARD, expiry.Failure.UNKNOWN_CARD), (FAILED, "unknown_card")),
    ("expiry", card_steps.PinBlocked("", card_steps.PinStep.AUTH), (FAILED, "pin_blocked")),
    ("ticket", ticket.Printed(VIEW), (COMPLETED, "no_old_link")),
    ("ticket", ticket.PrintFailed(VIEW, ticket.PrintFailure.PAPER_OUT), (FAILED, "print_paper_out")),
    ("ticket", ticket.IssueFailed("mynumber", "k", ticket.IssueFailure.CLOSED), (FAILED, "counter_closed")),
    ("renewal", renewal.Sent(CARD, "R-42", True), (COUNTER, "renewal_request")),
    ("renewal", renewal.WhatToBring(CARD), (COUNTER, "renewal_without_card")),
    ("renewal", renewal.NotYet(CARD, date(2026, 12, 1)), (COMPLETED, "not_yet_open")),
    ("renewal", renewal.Failed(CARD, renewal.Failure.UNMATCHED), (COUNTER, "unmatched")),
    ("renewal", renewal.Failed(CARD, renewal.Failure.PENDING), (COUNTER, "pending")),
    ("renewal", renewal.Failed(CARD, renewal.Failure.LIMIT), (COUNTER, "limit")),
    ("renewal", renewal.Failed(CARD, renewal.Failure.CERTIFICATE_INVALID), (COUNTER, "certificate_invalid")),
    ("renewal", renewal.Failed(CARD, renewal.Failure.SERVER_UNREACHABLE), (FAILED, "server_unreachable")),
    ("checkup", checkup.Report(date(2030, 1, 1), False, checkup.CheckupView(checkup.Link.NONE, CARD, None, None,
                                                                            "C-1"), (checkup.Step.FIRST_LINKAGE,)),
     (COUNTER, "checkup_first_linkage")),
    ("checkup", checkup.Report(date(2026, 8, 1), True, checkup.CheckupView(checkup.Link.MYKEY, CARD, None, None,
                                                                           "C-2"), (checkup.Step.RENEW_CERTIFICATE,)),
     (COMPLETED, "renew_certificate")),
    ("checkup", checkup.Failed(checkup.Failure.CERTIFICATE_INVALID), (FAILED, "certificate_invalid")),
    ("checkup", card_steps.CertificateExpired("", date(2025, 1, 1)), (FAILED, "certificate_expired")),
])
def test_result_states_map_to_outcomes(flow: str, state: object, expected: tuple[str, str | None]) -> None:
    assert outcome_of(flow, state) == Outcome(flow, *expected)


def test_every_flow_the_kiosk_can_start_has_outcome_rules() -> None:
    from screens.routes import FLOW_FACTORIES  # the routing table only: no Kivy

    missing = set(FLOW_FACTORIES) - set(OUTCOME_RULES)
    assert not missing, f"add the result states of {missing} to kiosk/statistics.py OUTCOME_RULES"


def test_steps_on_the_way_are_not_results() -> None:
    for state in (mig.Intro(), Entering("2000"), card_steps.WaitingForCard(CARD), ticket.Choosing(),
                  card_steps.EnteringPin(CARD, FACTS, card_steps.PinStep.AUTH, wrong=True)):
        assert outcome_of("migrate", state) is None and outcome_of("ticket", state) is None
    assert outcome_of("some_new_flow", mig.Completed(CARD, date(2026, 6, 15))) is None


class Sink:
    def __init__(self) -> None:
        self.reports: list[tuple[Outcome, datetime]] = []

    def __call__(self, outcome: Outcome, at: datetime) -> None:
        self.reports.append((outcome, at))


def test_one_report_per_run_the_last_result_wins_and_abandoned_says_why() -> None:
    sink = Sink()
    watch = SessionOutcome("migrate", sink, now=lambda: AT)
    watch.seen(mig.Refused(CARD, mig.Refusal.SERVER_UNREACHABLE))
    watch.seen(card_steps.EnteringPin(CARD, FACTS, card_steps.PinStep.AUTH))  # retry
    watch.seen(mig.Completed(CARD, date(2026, 6, 15)))
    watch.seen(Finished())
    watch.closed()
    watch.closed()  # end_session after Done: still one report
    assert sink.reports == [(Outcome("migrate", COMPLETED, None), AT)]

    for states, reason in (
        ([mig.Intro(), mig.Consent()], "left_consent"),
        ([card_steps.WaitingForCard(CARD, card_steps.CardTrouble.REMOVED), card_steps.WaitingForCard(CARD)],
         "card_removed"),
        ([card_steps.EnteringPin(CARD, FACTS, card_steps.PinStep.AUTH, wrong=True)], "pin_wrong"),
        ([Entering("12")], "left_card_number"),
    ):
        sink = Sink()
        watch = SessionOutcome("migrate", sink, now=lambda: AT)
        for state in states:
            watch.seen(state)
        watch.closed()
        assert sink.reports == [(Outcome("migrate", ABANDONED, reason), AT)]


def test_a_flow_runner_reports_through_its_observer_and_a_failing_sink_never_disturbs_it() -> None:
    reports: list[Outcome] = []
    runner = FlowRunner(expiry.ExpiryFlow(r"^\d{10}$", today=lambda: date(2026, 6, 15)), lambda e: None,
                        lambda cb: cb(), lambda s: None, SessionOutcome("expiry", lambda o, at: reports.append(o)))
    runner.send(expiry.ByNumber())
    runner.send(Digit("2"))
    runner.close()
    assert reports == [Outcome("expiry", ABANDONED, "left_card_number")]

    def broken(_o: Outcome, _at: datetime) -> None:
        raise OSError("disk full")

    runner = FlowRunner(ticket.TicketFlow(("mynumber",)), lambda e: None, lambda cb: cb(), lambda s: None,
                        SessionOutcome("ticket", broken))
    runner.send(Back())
    runner.close()  # no exception


def test_the_payload_holds_the_hour_and_nothing_personal() -> None:
    sent = payload(Outcome("migrate", COUNTER, "migration_pending"), AT)
    assert sent == {"service": "migrate", "outcome": "counter", "reason": "migration_pending", "day": "2026-06-15",
                    "hour": 14}
    # A UTC instant is put on the library's clock: 23:30 UTC is 08:30 the next day in Saga.
    late = payload(Outcome("expiry", COMPLETED, "valid"), datetime(2026, 6, 14, 23, 30, tzinfo=UTC))
    assert (late["day"], late["hour"]) == ("2026-06-15", 8)
    assert CARD not in json.dumps(sent) and "R-42" not in json.dumps(sent)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    directory = Path(tempfile.mkdtemp(prefix="saga-stats-kiosk-"))
    process = start_server(database_url=f"sqlite:///{directory / 'server.db'}", settings={"SERVER_TODAY": "2026-06-15"})
    yield process
    process.stop()


def test_outcomes_reach_the_real_server_through_the_outbox_once_each(server: ServerProcess, tmp_path: Path) -> None:
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=5)
    outbox = Outbox(tmp_path / "outbox.sqlite3", api_senders(client), permanent=is_permanent)
    watch = [SessionOutcome("migrate", lambda o, at: put_outcome(outbox, o, at), now=lambda: AT) for _ in range(3)]
    for w in watch:
        w.seen(card_steps.PinBlocked(CARD, card_steps.PinStep.AUTH))
        w.closed()
    assert outbox.flush() == 3 and len(outbox) == 0
    # The same item delivered again (an answer lost on the way): the server counts it once.
    key = f"outcome-{uuid.uuid4()}"
    for _ in range(2):
        client.record_outcome(payload(Outcome("migrate", FAILED, "pin_blocked"), AT), idempotency_key=key)
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10).json()["token"]
    report = requests.get(server.base_url + "/v1/stats", params={"start": "2026-06-15", "end": "2026-06-15"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    reasons = {(c["service"], c["outcome"], c["reason"]): c["count"] for c in report["reasons"]}
    assert reasons == {("migrate", "failed", "pin_blocked"): 4}
    assert {h["key"]: h["sessions"] for h in report["hours"]}["14"] == 4
    outbox.close()


def test_an_outcome_reached_with_the_server_away_is_counted_once_it_is_back(server: ServerProcess,
                                                                             tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    away = KioskApiClient("http://127.0.0.1:9", server.kiosk_id, server.kiosk_secret, timeout=2)
    outbox = Outbox(path, api_senders(away), permanent=is_permanent)
    watch = SessionOutcome("expiry", lambda o, at: put_outcome(outbox, o, at), now=lambda: AT.replace(hour=9))
    watch.seen(expiry.Failed(CARD, expiry.Failure.SERVER_UNREACHABLE))
    watch.closed()
    assert outbox.flush() == 0 and len(outbox) == 1  # kept on disk, not lost
    outbox.close()
    # The kiosk restarts with the server reachable: the outcome goes, dated when it happened.
    outbox = Outbox(path, api_senders(KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret,
                                                     timeout=5)), permanent=is_permanent)
    assert outbox.flush() == 1 and len(outbox) == 0
    outbox.close()
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10).json()["token"]
    report = requests.get(server.base_url + "/v1/stats", params={"start": "2026-06-15", "end": "2026-06-15"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    reasons = {(c["service"], c["outcome"], c["reason"]): c["count"] for c in report["reasons"]}
    assert reasons[("expiry", "failed", "server_unreachable")] is None  # one: counted, but below the threshold
    assert {h["key"]: h["sessions"] for h in report["hours"]}["09"] is None

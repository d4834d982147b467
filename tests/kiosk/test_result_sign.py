"""The status sign each result leads with comes from the core (kiosk/result_sign.py), never from a screen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kiosk import i18n
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, expiry, registration, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.result_sign import result_sign

CARD = "2000000014"
DAY = date(2026, 4, 1)


def _expiry(status: expiry.CardStatus) -> expiry.ExpiryView:
    return expiry.ExpiryView(valid_until=DAY, renewable_from=DAY, days_left=10, status=status)


def _report(*steps: checkup.Step) -> checkup.Report:
    view = checkup.CheckupView(link=checkup.Link.MYKEY, card_number=CARD, expiry=None, migration_reference=None,
                               reference="R-1")
    return checkup.Report(certificate_not_after=DAY, certificate_renew_soon=False, view=view, steps=steps)


def _ticket() -> ticket.TicketView:
    return ticket.TicketView(ticket_id="t1", number="A-012", service="general", service_ja="総合", service_en="General",
                             issued_at=datetime(2026, 4, 1, tzinfo=UTC), people_ahead=0, wait_minutes=None,
                             status_url="http://x/t/1")


@pytest.mark.parametrize(("state", "sign"), [
    (mig.Completed(CARD, DAY), "done"),
    (mig.Refused(CARD, mig.Refusal.ALREADY_MIGRATED), "done"),
    (mig.Pending(CARD, "M-1"), "attention"),
    (mig.Refused(CARD, mig.Refusal.NO_OLD_LINK), "failed"),
    (mig.Refused(CARD, mig.Refusal.SERVER_UNREACHABLE), "failed"),
    (cs.CertificateExpired(CARD, DAY), "failed"),
    (cs.PinBlocked(CARD, cs.PinStep.AUTH), "failed"),
    (cs.CardUnusable(CARD, cs.Unusable.FACE_AUTH_ONLY), "attention"),
    (expiry.Shown(CARD, _expiry(expiry.CardStatus.VALID)), "done"),
    (expiry.Shown(CARD, _expiry(expiry.CardStatus.RENEWABLE)), "attention"),
    (expiry.Shown(CARD, _expiry(expiry.CardStatus.EXPIRED)), "attention"),
    (expiry.Failed(CARD, expiry.Failure.UNKNOWN_CARD), "failed"),
    (_report(checkup.Step.NOTHING), "done"),
    (_report(checkup.Step.MIGRATE, checkup.Step.RENEW_CARD), "attention"),
    (checkup.Failed(checkup.Failure.SERVER_ERROR), "failed"),
    (renewal.Sent(CARD, "R-2", address_differs=False), "done"),
    (renewal.NotYet(CARD, DAY), "attention"),
    (renewal.Failed(CARD, renewal.Failure.UNMATCHED), "failed"),
    (registration.Sent("N00001"), "done"),
    (registration.Failed(registration.Failure.PENDING), "attention"),  # the counter has it already
    (registration.Failed(registration.Failure.ALREADY_PATRON), "attention"),  # the patron has a card
    (registration.Failed(registration.Failure.CHALLENGE), "attention"),  # the PIN again, what was typed kept
    (registration.Failed(registration.Failure.CERTIFICATE_INVALID), "failed"),
    (registration.Failed(registration.Failure.SERVER_UNREACHABLE), "failed"),
    (ticket.Printed(_ticket()), "done"),
    (ticket.PrintFailed(_ticket(), ticket.PrintFailure.PAPER_OUT), "attention"),
    (ticket.IssueFailed("general", "k", ticket.IssueFailure.CLOSED), "failed"),
])
def test_every_result_has_its_sign(state: object, sign: str) -> None:
    assert result_sign(state) == sign


@pytest.mark.parametrize("flow", [registration, renewal])
def test_a_card_stop_on_a_flows_own_result_screen_keeps_the_shared_sign(flow) -> None:  # type: ignore[no-untyped-def]
    """A flow that shows the card stops on its own result screen leads with the same sign as the others."""
    for state, sign in ((cs.PinBlocked("", cs.PinStep.AUTH), "failed"), (cs.CertificateExpired("", DAY), "failed"),
                        (cs.CardUnusable("", cs.Unusable.FACE_AUTH_ONLY), "attention")):
        assert flow.STATES[type(state)].sign_of(state) == sign


@pytest.mark.parametrize("failure", list(registration.Failure))
def test_every_registration_failure_has_its_headline_next_step_and_details(failure: registration.Failure) -> None:
    """screens/registration_result.py shows ``registration.failure.<failure>``'s three texts (tests/kiosk/test_i18n.py
    holds the other catalogues to the Japanese one)."""
    ja = i18n.catalogue("ja")
    key = f"registration.failure.{failure}"
    assert {key, f"{key}.title", f"{key}.next"} <= set(ja)


@pytest.mark.parametrize("state", [expiry.LookingUp(CARD), mig.Intro(), cs.ReadingCard(CARD),
                                   ticket.Printing(_ticket())])
def test_a_step_or_work_under_way_has_no_sign(state: object) -> None:
    assert result_sign(state) is None

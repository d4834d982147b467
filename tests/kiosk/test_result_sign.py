"""The status sign each result leads with comes from the core (kiosk/result_sign.py), never from a screen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, expiry, renewal, ticket
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
    (ticket.Printed(_ticket()), "done"),
    (ticket.PrintFailed(_ticket(), ticket.PrintFailure.PAPER_OUT), "attention"),
    (ticket.IssueFailed("general", "k", ticket.IssueFailure.CLOSED), "failed"),
])
def test_every_result_has_its_sign(state: object, sign: str) -> None:
    assert result_sign(state) == sign


@pytest.mark.parametrize("state", [expiry.LookingUp(CARD), mig.Intro(), cs.ReadingCard(CARD),
                                   ticket.Printing(_ticket())])
def test_a_step_or_work_under_way_has_no_sign(state: object) -> None:
    assert result_sign(state) is None

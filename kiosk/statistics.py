"""Statistics without personal data: how each patron session ended, counted on the server.

A flow's end is known only here (a wrong PIN, a blocked PIN, an expired certificate, a card taken away,
the server out of reach never reach the server as such), so the kiosk reports one outcome per flow run:

    {service, outcome, reason, day, hour}    e.g. {"migrate", "failed", "pin_blocked", 2026-06-15, 14}

service is the flow's name; outcome is completed | counter (sent to the 2nd-floor counter) | failed |
abandoned (left, or the idle wipe, before any result; the reason is the last card trouble seen or the
step left at). Nothing per person: no card number, reference, birth date, name, or time finer than the
hour; the kiosk id goes with the request signature. Reports go through the outbox (durable, retried,
one idempotency key each), so an outcome reached while the server is away still counts.

The flow runner calls `SessionOutcome.seen` for every state and `closed` when the session ends; the
last result state seen is the session's outcome. Flows not in OUTCOME_RULES report nothing (a flow
whose results are unknown here would otherwise count as abandoned).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.clock import LIBRARY_TZ
from kiosk.flows import card_steps, checkup, expiry, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.flows.common import Entering, Finished
from kiosk.states import ABANDONED, COMPLETED, COUNTER, FAILED

if TYPE_CHECKING:  # annotations only: watching a session needs neither the HTTP client nor the outbox loaded
    from kiosk.api.client import KioskApiClient
    from kiosk.outbox import Item, Outbox

log = logging.getLogger(__name__)

OUTCOME_KIND = "outcome"  # the outbox kind of an outcome report (payload: payload() below; nothing personal)

__all__ = ["ABANDONED", "COMPLETED", "COUNTER", "FAILED", "OUTCOME_KIND", "OUTCOME_RULES", "Outcome", "SessionOutcome", "outcome_of",
           "payload", "put_outcome", "step_of", "trouble_of"]

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


@dataclass(frozen=True)
class Outcome:
    """How one flow run ended (the server's statistics count these)."""

    service: str
    outcome: str
    reason: str | None = None


def _code(text: str | None) -> str | None:
    """A reason fit for the server (a short snake_case code), "other" for anything else."""
    if text is None:
        return None
    return text if _CODE.fullmatch(text) else "other"


def _card_stop(state: object) -> str | None:
    """The shared card steps that end a flow: the certificate expired, a PIN blocked."""
    if isinstance(state, card_steps.CertificateExpired):
        return "certificate_expired"
    if isinstance(state, card_steps.PinBlocked):
        return "pin_blocked"
    return None


def _migration(state: object) -> tuple[str, str | None] | None:
    if isinstance(state, mig.Completed):
        return COMPLETED, None
    if isinstance(state, mig.Pending | mig.Refused):
        counter = mig.counter_ticket_for(state)
        if counter is not None:
            return COUNTER, counter[1]
        assert isinstance(state, mig.Refused)
        return FAILED, state.reason.value
    stop = _card_stop(state)
    return (FAILED, stop) if stop else None


def _expiry(state: object) -> tuple[str, str | None] | None:
    if isinstance(state, expiry.Shown):
        return COMPLETED, state.expiry.status.value  # valid | renewable | expired
    if isinstance(state, expiry.Failed):
        return FAILED, state.failure.value
    stop = _card_stop(state)
    return (FAILED, stop) if stop else None


def _ticket(state: object) -> tuple[str, str | None] | None:
    if isinstance(state, ticket.Printed):
        return COMPLETED, state.ticket.reason  # why the patron was sent, when another flow sent them
    if isinstance(state, ticket.PrintFailed):
        return FAILED, f"print_{state.failure.value}"
    if isinstance(state, ticket.IssueFailed):
        return FAILED, "counter_closed" if state.failure is ticket.IssueFailure.CLOSED else state.failure.value
    return None


def _renewal(state: object) -> tuple[str, str | None] | None:
    if isinstance(state, renewal.Sent):
        return COUNTER, "renewal_request"  # the counter completes it with one confirmation
    if isinstance(state, renewal.WhatToBring):
        return COUNTER, "renewal_without_card"
    if isinstance(state, renewal.NotYet):
        return COMPLETED, "not_yet_open"
    if isinstance(state, renewal.Failed):
        if state.failure in (renewal.Failure.UNMATCHED, renewal.Failure.PENDING, renewal.Failure.LIMIT,
                             renewal.Failure.CERTIFICATE_INVALID):  # sent to the counter with a ticket
            return COUNTER, state.failure.value
        return FAILED, state.failure.value
    stop = _card_stop(state)
    return (FAILED, stop) if stop else None


def _checkup(state: object) -> tuple[str, str | None] | None:
    if isinstance(state, checkup.Report):
        counter = checkup.counter_ticket_for(state)
        if counter is not None:
            return COUNTER, counter[1]
        return COMPLETED, state.steps[0].value if state.steps else checkup.Step.NOTHING.value  # the next step
    if isinstance(state, checkup.Failed):
        return FAILED, state.failure.value
    stop = _card_stop(state)
    return (FAILED, stop) if stop else None


# Flow name -> its result states. A new flow adds its rule here.
OUTCOME_RULES: dict[str, Callable[[object], tuple[str, str | None] | None]] = {
    "migrate": _migration,
    "expiry": _expiry,
    "ticket": _ticket,
    "renewal": _renewal,
    "checkup": _checkup,
}


def outcome_of(flow: str, state: object) -> Outcome | None:
    """The outcome a result state of `flow` stands for, or None (not a result, or a flow without rules)."""
    if isinstance(state, card_steps.CardUnusable):  # any card flow: a card the kiosk cannot use goes to the counter
        return Outcome(flow, COUNTER, _code(f"card_{state.reason}"))
    rule = OUTCOME_RULES.get(flow)
    found = rule(state) if rule else None
    return Outcome(flow, found[0], _code(found[1])) if found else None


def trouble_of(state: object) -> str | None:
    """A card trouble on the way (the reason of an abandoned session if nothing better follows)."""
    if isinstance(state, card_steps.WaitingForCard) and state.trouble is not None:
        return f"card_{state.trouble.value}"
    if isinstance(state, card_steps.EnteringPin) and state.wrong:
        return "pin_wrong"
    return None


def step_of(state: object) -> str:
    """The step a state is, as a code: its class name in snake_case ("EnteringPin" -> "entering_pin")."""
    if isinstance(state, Entering):
        return "card_number"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(state).__name__).lower()


def _library_now() -> datetime:
    return datetime.now(LIBRARY_TZ)


Report = Callable[[Outcome, datetime], object]


class SessionOutcome:
    """Watches one flow run and reports its outcome once, when it closes."""

    def __init__(self, flow: str, report: Report, now: Callable[[], datetime] = _library_now) -> None:
        self.flow = flow
        self._report = report
        self._now = now
        self._result: tuple[Outcome, datetime] | None = None
        self._trouble: str | None = None
        self._step = "start"
        self._done = flow not in OUTCOME_RULES

    def seen(self, state: object) -> None:
        """A state the flow entered."""
        if self._done or isinstance(state, Finished):
            return
        found = outcome_of(self.flow, state)
        if found is not None:
            self._result = (found, self._now())
            return
        self._trouble = trouble_of(state) or self._trouble
        self._step = step_of(state)

    def closed(self) -> None:
        """The session ended (Done, Back, the idle wipe, another flow): report, once; never raise."""
        if self._done:
            return
        self._done = True
        outcome, at = self._result or (Outcome(self.flow, ABANDONED, self._trouble or f"left_{self._step}"),
                                       self._now())
        try:
            self._report(outcome, at)
        except Exception:  # statistics must never disturb a patron's session
            log.exception("statistics: outcome %s not recorded", outcome)


def payload(outcome: Outcome, at: datetime) -> dict[str, object]:
    """The outcome event as sent: the library's day and hour, nothing finer."""
    local = at.astimezone(LIBRARY_TZ)
    return {"service": outcome.service, "outcome": outcome.outcome, "reason": outcome.reason,
            "day": local.date().isoformat(), "hour": local.hour}


def put_outcome(outbox: Outbox, outcome: Outcome, at: datetime) -> Item:
    """Queue the outcome for the server (a random idempotency key: each session counts once)."""
    return outbox.put(OUTCOME_KIND, payload(outcome, at), f"outcome-{uuid.uuid4()}")


def send_outcome(client: KioskApiClient, item: Item) -> None:
    """The outbox's sender for OUTCOME_KIND."""
    client.record_outcome(item.payload, idempotency_key=item.idempotency_key)

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
last result state seen is the session's outcome. What a state counts as is a column of its flow's state
table (kiosk/flows/tables.py); flows without a table report nothing (a flow whose results are unknown here
would otherwise count as abandoned).
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
from kiosk.flows.common import Finished
from kiosk.flows.tables import TABLES, any_flow
from kiosk.states import ABANDONED, COMPLETED, COUNTER, FAILED

if TYPE_CHECKING:  # annotations only: watching a session needs neither the HTTP client nor the outbox loaded
    from kiosk.api.client import KioskApiClient
    from kiosk.outbox import Item, Outbox

__all__ = ["ABANDONED", "COMPLETED", "COUNTER", "FAILED", "OUTCOME_KIND", "OUTCOME_RULES", "Outcome",
           "SessionOutcome", "outcome_of",
           "payload", "put_outcome", "step_of", "trouble_of"]

log = logging.getLogger(__name__)

OUTCOME_KIND = "outcome"  # the outbox kind of an outcome report (payload: payload() below; nothing personal)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

# Flow name -> its state table, whose rows say which states are results and what they count as (the
# ``outcome`` column), the card trouble a state shows and the code of each step. A new flow adds its
# table in kiosk/flows/tables.py.
OUTCOME_RULES = TABLES


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


def outcome_of(flow: str, state: object) -> Outcome | None:
    """The outcome a result state of `flow` stands for, or None (not a result, or a flow without a table)."""
    table = OUTCOME_RULES.get(flow)
    row = table.get(type(state)) if table is not None else None
    found = row.outcome_of(state) if row is not None else None
    return Outcome(flow, found[0], _code(found[1])) if found else None


def trouble_of(state: object) -> str | None:
    """A card trouble on the way (the reason of an abandoned session if nothing better follows)."""
    row = any_flow(state)
    return row.trouble_of(state) if row is not None else None


def step_of(state: object) -> str:
    """The step a state is, as a code ("entering_pin"): its row's ``code`` (the same in every flow)."""
    row = any_flow(state)
    return row.code if row is not None else "other"


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

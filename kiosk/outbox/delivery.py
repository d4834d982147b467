"""What each kind of outbox item is on the central API, and which refusals no retry can change."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.api.errors import ApiError
from kiosk.outbox.store import Item

if TYPE_CHECKING:
    from kiosk.api.client import KioskApiClient
    from kiosk.outbox.outbox import Outbox

AUDIT = "audit"  # a staff action (payload: StaffEvent fields); the event id is the idempotency key
HEARTBEAT = "heartbeat"  # the kiosk's state; only the latest matters (coalesced)
TICKET_PRINTED = "ticket_printed"  # payload: ticket_id, reprint
OUTCOME = "outcome"  # a patron session's outcome for the statistics (kiosk/statistics.py): nothing personal

# 4xx answers that say nothing about the item: the kiosk's credentials or clock, a concurrent change,
# too many requests. They may pass later, so the item stays queued.
_RETRYABLE_4XX = {401, 408, 425, 429}
_RETRYABLE_CODES = {"conflict", "stale_request", "replayed_request", "unknown_kiosk", "unauthenticated"}


def is_permanent(exc: Exception) -> bool:
    """True for a refusal of this very request (4xx) that resending cannot change."""
    if not isinstance(exc, ApiError):
        return False  # unreachable, timeout, 5xx, not the API's JSON: try again later
    if exc.status >= 500 or exc.status in _RETRYABLE_4XX or exc.code in _RETRYABLE_CODES:
        return False
    return 400 <= exc.status < 500


class ApiDelivery:
    """Sends one outbox item with the kiosk's client (its idempotency key goes with it)."""

    def __init__(self, client: KioskApiClient) -> None:
        self.client = client

    def __call__(self, item: Item) -> None:
        """Deliver `item`; raises the client's typed errors."""
        p = item.payload
        if item.kind == AUDIT:
            from kiosk.maintenance.audit import StaffEvent

            self.client.record_staff_action(StaffEvent(
                staff_id=p["staff_id"], action=p["action"], outcome=p["outcome"], detail=p["detail"],
                at=datetime.fromisoformat(p["at"]), event_id=item.idempotency_key))
        elif item.kind == HEARTBEAT:
            from kiosk.maintenance.heartbeat import KioskState

            fields: dict[str, Any] = dict(p)
            for key in ("kiosk_time", "last_error_at"):
                fields[key] = datetime.fromisoformat(fields[key]) if fields.get(key) else None
            self.client.send_heartbeat(KioskState(**fields))
        elif item.kind == TICKET_PRINTED:
            self.client.mark_ticket_printed(p["ticket_id"], idempotency_key=item.idempotency_key,
                                            reprint=bool(p.get("reprint", False)))
        elif item.kind == OUTCOME:
            self.client.record_outcome(p, idempotency_key=item.idempotency_key)
        else:
            raise ApiError("unknown_outbox_kind", "", f"no delivery for {item.kind!r}", 400)


def put_ticket_printed(outbox: Outbox, ticket_id: str, *, reprint: bool = False, key: str | None = None) -> Item:
    """Queue the server's print mark for a ticket that came out of the printer."""
    return outbox.put(TICKET_PRINTED, {"ticket_id": ticket_id, "reprint": reprint},
                      key or f"printed-{ticket_id}")


def put_heartbeat(outbox: Outbox, state: Any) -> Item:
    """Queue the kiosk's state (a KioskState), replacing any beat not yet delivered."""
    import uuid

    return outbox.put(HEARTBEAT, state.to_json(), f"beat-{uuid.uuid4()}", coalesce=True)

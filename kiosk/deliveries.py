"""The kiosk's outbox as the app composes it: each kind of item with its sender on the central API, and
the refusals that no retry can change.

Each kind is defined once, by the module that puts it (and which holds its sender beside it):

    audit            kiosk/maintenance/audit.py     a staff action (POST /v1/kiosk/audit)
    heartbeat        kiosk/maintenance/heartbeat.py the kiosk's state, coalesced (POST /v1/kiosk/heartbeat)
    ticket_printed   kiosk/print_marks.py           a ticket's print mark (POST /v1/tickets/{id}/printed)
    outcome          kiosk/statistics.py            a patron session's outcome (POST /v1/kiosk/outcomes)
"""

from __future__ import annotations

from functools import partial

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError
from kiosk.config import KioskSettings, resolve
from kiosk.maintenance.audit import AUDIT_KIND, send_staff_event
from kiosk.maintenance.heartbeat import HEARTBEAT_KIND, send_heartbeat
from kiosk.outbox import Outbox, Sender
from kiosk.print_marks import TICKET_PRINTED_KIND, send_ticket_printed
from kiosk.statistics import OUTCOME_KIND, send_outcome

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


def api_senders(client: KioskApiClient) -> dict[str, Sender]:
    """Every kind the kiosk puts in its outbox, delivered with `client` (its idempotency key goes with it)."""
    return {
        AUDIT_KIND: partial(send_staff_event, client),
        HEARTBEAT_KIND: partial(send_heartbeat, client),
        TICKET_PRINTED_KIND: partial(send_ticket_printed, client),
        OUTCOME_KIND: partial(send_outcome, client),
    }


def outbox_from_settings(settings: KioskSettings, client: KioskApiClient) -> Outbox:
    """The kiosk's outbox from `[outbox]`, delivering through `client` (start() it; stop() it at exit)."""
    o = settings.outbox
    return Outbox(resolve(o.path), api_senders(client), permanent=is_permanent, retry_base_s=o.retry_base_s,
                  retry_max_s=o.retry_max_s)

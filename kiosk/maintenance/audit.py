"""Staff actions at the kiosk, sent to the server's audit log (POST /v1/kiosk/audit) when it is reachable.

With an `outbox` (kiosk/outbox), events are written to its SQLite file first and delivered by its
sender, so they survive a server outage and a kiosk restart. Without one they wait in a small
in-memory queue (the oldest dropped beyond `max_pending`, and logged). Each event carries its own
id as the Idempotency-Key, so a resend never makes a second audit row.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from contextlib import suppress

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, KioskApiError
from kiosk.api.wire import Scalar, StaffEvent
from kiosk.outbox import Item, Outbox

log = logging.getLogger(__name__)
AUDIT_KIND = "audit"  # the outbox kind of a staff action (payload: StaffEvent.to_json(); key: its event id)


def send_staff_event(client: KioskApiClient, item: Item) -> None:
    """The outbox's sender for AUDIT_KIND: POST /v1/kiosk/audit."""
    client.record_staff_action(StaffEvent.from_json(item.payload, event_id=item.idempotency_key))


class AuditTrail:
    """Queue staff events and deliver them with `send` (KioskApiClient.record_staff_action)."""

    def __init__(self, send: Callable[[StaffEvent], object] | None, *, max_pending: int = 500,
                 retry_s: float = 30.0, outbox: Outbox | None = None) -> None:
        self._send = send
        self._outbox = outbox
        self._pending: deque[StaffEvent] = deque()
        self._max_pending = max_pending
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, staff_id: str, action: str, outcome: str = "ok", **detail: Scalar) -> StaffEvent:
        """Log the event here and queue it for the server; never blocks on the network."""
        # The server takes staff ids like its logins ([A-Za-z0-9._@-]) and short printable facts only.
        staff_id = re.sub(r"[^A-Za-z0-9._@-]", "_", staff_id)[:64] or "-"
        clean = {k: re.sub(r"[\x00-\x1f\x7f]", " ", v)[:200] if isinstance(v, str) else v for k, v in detail.items()}
        event = StaffEvent(staff_id=staff_id, action=action, outcome=outcome, detail=clean)
        log.info("staff action: staff=%s action=%s outcome=%s %s", event.staff_id, action, outcome,
                 " ".join(f"{k}={v}" for k, v in detail.items()))
        if self._outbox is not None:
            # Written (fsync'd) before record() returns: a crash right after still delivers it.
            try:
                self._outbox.put(AUDIT_KIND, event.to_json(), event.event_id)
                return event
            except (sqlite3.Error, OSError) as exc:
                # A broken outbox file must not stop a staff action: keep it in memory for this run instead.
                log.error("audit outbox not writable, keeping %s in memory: %s", action, exc)

        with self._lock:
            self._pending.append(event)
            while len(self._pending) > self._max_pending:
                dropped = self._pending.popleft()
                log.error("audit queue full: dropped %s by %s at %s", dropped.action, dropped.staff_id, dropped.at)
        self._wake.set()
        return event

    @property
    def pending(self) -> int:
        """Events not yet accepted by the server."""
        in_outbox = 0
        if self._outbox is not None:
            with suppress(sqlite3.Error, OSError):  # a broken file: count what is in memory
                in_outbox = self._outbox.count(AUDIT_KIND)
        with self._lock:
            return in_outbox + len(self._pending)

    def flush(self) -> int:
        """Send queued events in order until one fails; returns how many the server accepted."""
        # The outbox's own order first; then any event kept in memory because the outbox could not be written.
        sent = 0
        if self._outbox is not None:
            try:
                sent = self._outbox.flush()
            except (sqlite3.Error, OSError) as exc:
                log.error("audit outbox not readable: %s", exc)
        if self._send is None:
            return sent
        with self._flushing:  # one sender at a time keeps the order
            while True:
                with self._lock:
                    if not self._pending:
                        return sent
                    event = self._pending[0]
                try:
                    self._send(event)
                except ApiError as error:
                    if error.status in (401, 429) or error.status >= 500:
                        log.warning("audit event %s not sent yet: %s", event.action, error)
                        return sent
                    # The server refused this event for good (bad shape): retrying cannot help.
                    log.error("audit event %s refused by the server: %s", event.action, error)
                except KioskApiError as error:
                    log.warning("audit event %s not sent yet: %s", event.action, error)
                    return sent
                with self._lock:
                    if self._pending and self._pending[0] is event:
                        self._pending.popleft()
                sent += 1

    def start(self) -> None:
        """Deliver from a background thread: at once after each event, and every `retry_s` while some wait."""
        if self._outbox is not None:
            self._outbox.start()  # idempotent; the outbox's owner stops it (it carries more than audit events)
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="audit-trail", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread (queued events stay queued)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._retry_s)
            self._wake.clear()
            if not self._stop.is_set():
                self.flush()

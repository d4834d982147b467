"""One object the app builds at start-up and the maintenance screens use: `Maintenance.from_settings(...)`.

    maintenance = Maintenance.from_settings(settings, client, printer, renderer)
    maintenance.start()              # refresh the maintenance PIN cache (background), audit, heartbeat
    result = maintenance.signin.attempt(staff_id, pin_bytearray)   # worker thread
    session = maintenance.open_session(result)                     # None unless result.ok
    report = maintenance.diagnostics()                             # worker thread, ~2 s at most
    maintenance.actions.test_print(session.staff_id)
    maintenance.stop()               # at exit: joins the threads
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from kiosk.api.client import KioskApiClient
from kiosk.api.wire import KioskState
from kiosk.config import KioskSettings, resolve
from kiosk.maintenance.actions import MaintenanceActions
from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.diagnostics import Diagnostics, collect
from kiosk.maintenance.heartbeat import HeartbeatSender, LastError, current_state, put_heartbeat
from kiosk.maintenance.service_mode import ServiceMode
from kiosk.maintenance.session import MaintenanceSession
from kiosk.maintenance.signin import SignInResult, StaffSignIn
from kiosk.maintenance.staff_cache import StaffCache
from kiosk.maintenance.ticket_log import TicketLog
from kiosk.outbox import Item, Outbox
from kiosk.print_marks import put_ticket_printed
from kiosk.printer.base import TicketPrinter
from kiosk.printer.ticket_image import TicketRenderer

STAFF_REFRESH_S = 900


def reprint_marker(client: KioskApiClient, outbox: Outbox | None) -> Callable[[str], object]:
    """Counts a staff reprint on the server: through the outbox when there is one (delivered later if the
    server is down). Each reprint has its own key, so a retry counts once and a second reprint twice."""
    def key(ticket_id: str) -> str:
        return f"reprint-{ticket_id}-{uuid.uuid4().hex}"

    if outbox is not None:
        return lambda ticket_id: put_ticket_printed(outbox, ticket_id, reprint=True, key=key(ticket_id))
    return lambda ticket_id: client.mark_ticket_printed(ticket_id, idempotency_key=key(ticket_id), reprint=True)


@dataclass
class Maintenance:
    """The maintenance core wired from the settings; screens hold one and call it from worker threads."""

    settings: KioskSettings
    client: KioskApiClient
    printer: TicketPrinter | None
    cache: StaffCache
    signin: StaffSignIn
    service: ServiceMode
    tickets: TicketLog
    audit: AuditTrail
    actions: MaintenanceActions | None  # None without a printer
    last_error: LastError
    heartbeat: HeartbeatSender
    outbox_length: Callable[[], int] | None = None
    outbox_refused: Callable[[], list[Item]] | None = None
    _stop_refresh: threading.Event = field(default_factory=threading.Event, repr=False)
    _refresher: threading.Thread | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: KioskSettings, client: KioskApiClient, printer: TicketPrinter | None,
                      renderer: TicketRenderer | None, *, outbox_length: Callable[[], int] | None = None,
                      outbox: Outbox | None = None) -> Maintenance:
        """Build every part from `[maintenance]` (paths relative to the repository root).

        With `outbox` (kiosk/outbox), staff actions and heartbeats are written to it and delivered from it.
        """
        m = settings.maintenance
        data_dir = resolve(m.data_dir)
        cache = StaffCache(resolve(m.staff_cache_path), kiosk_id=settings.server.kiosk_id)
        audit = AuditTrail(client.record_staff_action, outbox=outbox)
        send_beat: Callable[[KioskState], object] = client.send_heartbeat
        if outbox is not None:
            send_beat = partial(put_heartbeat, outbox)  # coalesced: only the latest beat waits
            outbox_length = outbox_length or outbox.__len__
        service = ServiceMode(data_dir)
        tickets = TicketLog(data_dir)
        last_error = LastError()
        actions = None
        if printer is not None and renderer is not None:
            actions = MaintenanceActions(kiosk_id=settings.server.kiosk_id, printer=printer, renderer=renderer,
                                         tickets=tickets, service=service, audit=audit, data_dir=data_dir,
                                         mark_reprinted=reprint_marker(client, outbox))
        heartbeat = HeartbeatSender(
            send=send_beat, interval_s=m.heartbeat_interval_s,
            state=lambda: current_state(settings=settings, printer=printer, service=service, last_error=last_error,
                                        outbox_length=outbox_length))
        return cls(settings=settings, client=client, printer=printer, cache=cache,
                   signin=StaffSignIn(cache, max_tries=m.lockout_tries, lockout_s=m.lockout_s, audit=audit,
                                      state_file=data_dir / "signin-lock.json"),
                   service=service, tickets=tickets, audit=audit, actions=actions, last_error=last_error,
                   heartbeat=heartbeat, outbox_length=outbox_length,
                   outbox_refused=outbox.dead if outbox is not None else None)

    def start(self) -> None:
        """Refresh the staff cache now and every STAFF_REFRESH_S, and start the audit sender and the heartbeat."""
        self._stop_refresh.clear()
        self._refresher = threading.Thread(target=self._refresh_loop, name="staff-cache-refresh", daemon=True)
        self._refresher.start()
        self.audit.start()
        self.heartbeat.start()

    def stop(self) -> None:
        """Stop the background threads (joined)."""
        self._stop_refresh.set()
        if self._refresher is not None:
            self._refresher.join(10)
            self._refresher = None
        self.heartbeat.stop()
        self.audit.stop()

    def _refresh_loop(self) -> None:
        # A changed PIN or a disabled account reaches the kiosk within STAFF_REFRESH_S.
        while not self._stop_refresh.is_set():
            self.cache.refresh(self.client.maintenance_credentials)
            self._stop_refresh.wait(STAFF_REFRESH_S)

    def open_session(self, result: SignInResult) -> MaintenanceSession | None:
        """The maintenance session for a successful sign-in (it expires after `idle_exit_minutes`)."""
        if not result.ok or result.role is None:
            return None
        return MaintenanceSession(result.staff_id, result.role, self.settings.maintenance.idle_exit_minutes * 60)

    def diagnostics(self) -> Diagnostics:
        """A fresh diagnostics snapshot (bounded; call from a worker thread)."""
        return collect(settings=self.settings, printer=self.printer,
                       data_dir=resolve(self.settings.maintenance.data_dir), outbox_length=self.outbox_length,
                       outbox_refused=self.outbox_refused)

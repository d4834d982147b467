"""The kiosk's workers (server client, card sessions, printer, maintenance mode) built once, off the
start-up path.

Their imports (requests, cryptography, Pillow, qrcode, argon2) cost a few hundred milliseconds; the attract
screen does not need them, so they load in the background after the first frame, or on first use,
whichever comes first.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.config import KioskSettings

if TYPE_CHECKING:
    from kiosk.actions import PatronActions
    from kiosk.effects import Performer
    from kiosk.flows.ticket import TicketView
    from kiosk.maintenance.runtime import Maintenance
    from kiosk.outbox import Outbox
    from kiosk.statistics import Outcome

log = logging.getLogger(__name__)


class KioskServices:
    """Builds the Performer, the PatronActions and the Maintenance core on first use, once, from any thread."""

    def __init__(self, settings: KioskSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._performer: Performer | None = None
        self._actions: PatronActions | None = None
        self._maintenance: Maintenance | None = None
        self._outbox: Outbox | None = None
        #: The server refused this kiosk's version (kiosk_version_unsupported): it must be updated.
        self.version_unsupported = False

    def _build(self) -> None:
        with self._lock:
            if self._performer is not None:
                return
            # Imported here, not above: off the start-up path (see the module's docstring).
            from kiosk.actions import PatronActions
            from kiosk.deliveries import outbox_from_settings
            from kiosk.effects import Performer, client_from_settings
            from kiosk.maintenance.runtime import Maintenance

            api = client_from_settings(self.settings)
            # What can be finished later (print marks, staff actions, heartbeats, outcomes) waits here, on disk.
            self._outbox = outbox_from_settings(self.settings, api)
            performer = Performer(self.settings, api=api, on_ticket_printed=self._remember_ticket,
                                  outbox=self._outbox)
            self._actions = PatronActions(api, performer.printer, performer.renderer)
            self._maintenance = Maintenance.from_settings(self.settings, api, performer.printer,
                                                          performer.renderer, outbox=self._outbox)
            self._performer = performer

    def _remember_ticket(self, ticket: TicketView) -> None:
        from kiosk.maintenance.ticket_log import PrintedTicket  # off the start-up path, as in _build

        self.maintenance.tickets.add(PrintedTicket(
            number=ticket.number, service=ticket.service, service_ja=ticket.service_ja,
            service_en=ticket.service_en, issued_at=ticket.issued_at, status_url=ticket.status_url,
            people_ahead=ticket.people_ahead, wait_minutes=ticket.wait_minutes, ticket_id=ticket.ticket_id,
        ))

    def record_outcome(self, outcome: Outcome, at: datetime) -> None:
        """Queue a patron session's outcome for the server's statistics (nothing personal in it)."""
        from kiosk.statistics import put_outcome  # off the start-up path, as in _build

        self._build()
        assert self._outbox is not None
        put_outcome(self._outbox, outcome, at)

    def forget_disclosures(self) -> None:
        """A patron session ended: clear what it sent (kiosk/disclosure.py) without building anything."""
        if self._performer is not None:
            self._performer.api.disclosures.clear()

    @property
    def performer(self) -> Performer:
        """Does the flows' card, server and printer work."""
        self._build()
        assert self._performer is not None
        return self._performer

    @property
    def actions(self) -> PatronActions:
        """Call staff, print a receipt."""
        self._build()
        assert self._actions is not None
        return self._actions

    @property
    def maintenance(self) -> Maintenance:
        """Staff sign-in, diagnostics, service mode, heartbeat, audit."""
        self._build()
        assert self._maintenance is not None
        return self._maintenance

    def warm_up(self) -> threading.Thread:
        """Build in the background now (call once the first frame is on screen), then start the heartbeat."""
        def run() -> None:
            self._build()
            self.check_version()
            self.maintenance.start()  # starts the outbox's sender too

        thread = threading.Thread(target=run, name="warm-up", daemon=True)
        thread.start()
        return thread

    def check_version(self) -> bool:
        """Ask the server once whether it still accepts this kiosk's version; True when it does (or is away)."""
        from kiosk.api.errors import KioskApiError, KioskVersionUnsupportedError  # off the start-up path

        try:
            self.performer.api.ticket_services()
        except KioskVersionUnsupportedError as exc:
            log.error("the server no longer accepts this kiosk's version (minimum %s)", exc.minimum_version)
            self.version_unsupported = True
        except KioskApiError:
            pass  # the server is away: the flows say so when a patron needs it
        return not self.version_unsupported

    def stop(self) -> None:
        """Stop the background senders (at exit); what is still queued waits on disk for the next start."""
        if self._maintenance is not None:
            self._maintenance.stop()
        if self._outbox is not None:
            self._outbox.stop()
            self._outbox.close()

"""Performs the flows' effects (server calls, later card and printer work) and answers with events.

This runs on the flow runner's worker thread; it turns every failure into an event the flow
understands, so nothing a patron does can end in an unhandled exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.config import KioskSettings
from kiosk.flows import expiry

log = logging.getLogger(__name__)


class Performer:
    """Maps each effect type to the work that answers it."""

    def __init__(self, settings: KioskSettings, api: KioskApiClient | None = None) -> None:
        server = settings.server
        self.api = api or KioskApiClient(server.url, server.kiosk_id, server.secret, server.timeout_s)
        self._handlers: dict[type, Callable[[Any], object]] = {expiry.LookupExpiry: self._lookup_expiry}

    def perform(self, effect: object) -> object:
        """Do the work ``effect`` asks for and return the answering event."""
        return self._handlers[type(effect)](effect)

    def _lookup_expiry(self, effect: expiry.LookupExpiry) -> object:
        try:
            answer = self.api.card_expiry(effect.card_number)
        except ApiError as exc:
            if exc.code in ("unknown_patron", "malformed_card_number"):
                return expiry.LookupFailed(expiry.Failure.UNKNOWN_CARD)
            log.warning("expiry lookup refused: %s", exc.code)
            return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
        except ServerUnreachableError:
            return expiry.LookupFailed(expiry.Failure.SERVER_UNREACHABLE)
        except ServerError as exc:
            log.warning("expiry lookup failed: server status %s", exc.status)
            return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
        return expiry.Answered(
            expiry.ExpiryView(
                valid_until=answer.valid_until,
                renewable_from=answer.renewable_from,
                days_left=answer.days_left,
                status=expiry.CardStatus(answer.status),
            )
        )

"""The counter services and counter windows, as configured (settings.ticket_services / counters)."""

from __future__ import annotations

from dataclasses import dataclass

from server.config import CounterSetting, Settings, TicketServiceSetting
from server.errors import ApiError


@dataclass(frozen=True)
class Catalog:
    """Lookups over the configured services and counters, in their configured order."""

    services: tuple[TicketServiceSetting, ...]
    counters: tuple[CounterSetting, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Catalog:
        """The catalog of one server's settings."""
        return cls(services=tuple(settings.ticket_services), counters=tuple(settings.counters))

    def service(self, service_id: str) -> TicketServiceSetting:
        """One service, else ApiError("unknown_service")."""
        for service in self.services:
            if service.id == service_id:
                return service
        raise ApiError("unknown_service")

    def counter(self, counter_id: str) -> CounterSetting:
        """One counter window, else ApiError("unknown_counter")."""
        for counter in self.counters:
            if counter.id == counter_id:
                return counter
        raise ApiError("unknown_counter")

    def counter_or_none(self, counter_id: str | None) -> CounterSetting | None:
        """A counter window by id; None for None or an id no longer configured."""
        return next((c for c in self.counters if c.id == counter_id), None)

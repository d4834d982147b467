"""Kill the real server hard and start it again on the same database (the kiosk keeps its credentials)."""

from __future__ import annotations

import dataclasses

from tests.support.server_proc import ServerProcess, start_server

# The counter open at any hour (as in tests/ui/conftest.py), so ticket tests do not depend on the time.
ALWAYS_OPEN = {
    "SERVER_COUNTER_HOURS_WEEKDAY": '["00:00", "23:59"]',
    "SERVER_COUNTER_HOURS_WEEKEND": '["00:00", "23:59"]',
    "SERVER_CLOSED_WEEKDAYS": "[]",
    "SERVER_CLOSED_DATES": "[]",
}


def kill(server: ServerProcess) -> None:
    """SIGKILL: no shutdown handler runs, open transactions die with the process."""
    server.process.kill()
    server.process.wait(timeout=10)


def restart(server: ServerProcess, **settings: str) -> ServerProcess:
    """A new server process on the same database and settings (another port: the old one may linger)."""
    extra = {k: v for k, v in server.env.items() if k.startswith("SERVER_") and k not in (
        "SERVER_HOST", "SERVER_PORT", "SERVER_LISTEN_FD", "SERVER_DEMO_KIOSK_SECRET", "SERVER_DEMO_STAFF_PIN",
        "SERVER_DEMO_MAINTENANCE_PIN")}
    fresh = start_server(database_url=server.database_url, settings={**extra, **settings})
    # The demo kiosk exists already, so it keeps the secret it was created with.
    return dataclasses.replace(fresh, kiosk_secret=server.kiosk_secret, staff_pin=server.staff_pin,
                               maintenance_pin=server.maintenance_pin)

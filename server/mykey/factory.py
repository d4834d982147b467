"""Which MyKey connector the server uses (settings.mykey_connector): kept apart from the interface, so the
interface (connector.py) imports no implementation and the simulator imports only the interface."""

from __future__ import annotations

from server.clock import Clock
from server.config import Settings
from server.db import make_engine
from server.mykey.connector import MyKeyConnector
from server.mykey.simulator import MyKeySimulator  # the only implementation today


def simulator_database_url(settings: Settings) -> str:
    """The simulator's own store: its setting, else a sibling SQLite file, else the main PostgreSQL database.

    A separate SQLite file because the platform is called inside the server's write
    transaction, and SQLite allows one writer per file.
    """
    if settings.mykey_database_url:
        return settings.mykey_database_url
    url = settings.database_url
    if url.startswith("sqlite:///") and url.endswith(".db"):
        return url[: -len(".db")] + "-mykeysim.db"
    return url


def make_connector(*, settings: Settings, clock: Clock) -> MyKeyConnector:
    """The connector chosen by settings.mykey_connector."""
    engine = make_engine(simulator_database_url(settings))

    return MyKeySimulator(engine=engine, clock=clock, challenge_ttl_seconds=settings.challenge_ttl_seconds)

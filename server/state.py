"""What one server process holds: settings, database, clock, trust store, MyKey connector and patron source.

server/bootstrap.py builds it from the settings; the routes read it (server/api/deps.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.auth.kiosk_keys import KioskKeys
from server.clock import Clock
from server.config import Settings
from server.db import WriteGate
from server.jpki import TrustStore
from server.mykey.connector import MyKeyConnector

if TYPE_CHECKING:  # annotations only: those domains' routes read AppState, so a real import would be a cycle
    from server.patrons.source import PatronSource
    from server.tickets.writer import TicketWriter


@dataclass
class AppState:
    """Process-wide objects; no request state lives here (several processes may serve)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    trust: TrustStore
    mykey: MyKeyConnector
    kiosk_keys: KioskKeys  # a cache only: the database re-checks every key it vouches for
    write_gate: WriteGate
    ticket_writer: TicketWriter  # commits concurrent ticket requests together (group commit)
    patrons: PatronSource  # card lookups: the database, or the ILS over SIP2 (settings.patron_source)

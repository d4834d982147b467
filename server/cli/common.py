"""What every `python -m server admin` command shares: the server's state, and who ran the command."""

from __future__ import annotations

import getpass

from server.bootstrap import build_state
from server.config import Settings
from server.state import AppState


def open_state(settings: Settings) -> AppState:
    """The database brought up to this release's schema, and the state the commands work on."""
    # Imported here: importing Alembic logs, and a bad setting must be the only line a command prints.
    from server.db import upgrade

    upgrade(database_url=settings.database_url)
    return build_state(settings)


def actor() -> str:
    """The audit log's actor of a command: the operating-system user who ran it."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"

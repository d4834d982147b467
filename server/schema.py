"""Schema migrations (Alembic), run from code: `python -m server migrate` and on first start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"


def alembic_config(*, database_url: str) -> Config:
    """An Alembic configuration for one database, without an alembic.ini file."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


def upgrade(*, database_url: str, revision: str = "heads") -> None:
    """Bring the database schema up to `revision` (every head: independent features branch off)."""
    command.upgrade(alembic_config(database_url=database_url), revision)

"""Alembic environment: the URL comes from server.db.alembic_config, not an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy.schema import SchemaItem

from server.db import make_engine
from server.tables import metadata

config = context.config
target_metadata = metadata


def _include_object(obj: SchemaItem, name: str | None, type_: str, reflected: bool,
                    compare_to: SchemaItem | None) -> bool:
    """Leave the MyKey simulator's own tables alone (it manages them itself)."""
    return not (type_ == "table" and name and name.startswith("mykeysim_"))


def run_migrations_online() -> None:
    """Run the migrations in one transaction on the configured database."""
    engine = make_engine(config.attributes["database_url"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()

"""fleet: each kiosk's latest heartbeat, and the errors kiosks reported

Revision ID: 20261125_fleet
Revises: 20261125_tickets
Create Date: 2026-11-25 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_fleet"
down_revision: str | None = "20261125_tickets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kiosk_heartbeats",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kiosk_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("in_service", sa.Boolean(), nullable=False),
        sa.Column("reader", sa.String(length=300), nullable=True),
        sa.Column("reader_error", sa.String(length=300), nullable=True),
        sa.Column("printer_online", sa.Boolean(), nullable=False),
        sa.Column("printer_paper", sa.String(length=16), nullable=False),
        sa.Column("printer_error", sa.String(length=300), nullable=True),
        sa.Column("outbox_length", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_kiosk_heartbeats_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_kiosk_heartbeats")),
    )
    op.create_table(
        "kiosk_error_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"],
                                name=op.f("fk_kiosk_error_events_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_error_events")),
    )
    with op.batch_alter_table("kiosk_error_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kiosk_error_events_kiosk_id"), ["kiosk_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kiosk_error_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_error_events_kiosk_id"))
    op.drop_table("kiosk_error_events")
    op.drop_table("kiosk_heartbeats")

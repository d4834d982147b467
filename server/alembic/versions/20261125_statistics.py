"""statistics: kiosk outcomes per hour, and queue tickets rolled up per hour before retention deletes them

Revision ID: 20261125_statistics
Revises: 20261125_renewal_requests
Create Date: 2026-11-25 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_statistics"
down_revision: str | None = "20261125_renewal_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kiosk_outcomes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=48), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "hour", "kiosk_id", "service", "outcome", "reason",
                                name=op.f("pk_kiosk_outcomes")),
    )
    op.create_table(
        "ticket_hourly_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("called", sa.Integer(), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "hour", "service", name=op.f("pk_ticket_hourly_stats")),
    )


def downgrade() -> None:
    op.drop_table("ticket_hourly_stats")
    op.drop_table("kiosk_outcomes")

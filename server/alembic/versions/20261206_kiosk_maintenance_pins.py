"""kiosk maintenance PINs: what a kiosk caches for its staff sign-in instead of the staff PIN hashes

Revision ID: 20261206_kiosk_maintenance_pins
Revises: 20261125_statistics
Create Date: 2026-12-06 20:20:00

No row is made from existing data: a staff PIN hash must never reach a kiosk again, and a maintenance
PIN cannot be derived from it. After the upgrade an admin sets them (admin kiosk-maintenance-pin);
until then a kiosk's refresh empties its cache of the staff hashes it held.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_kiosk_maintenance_pins"
down_revision: str | None = "20261125_statistics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kiosk_maintenance_pins",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"],
                                name=op.f("fk_kiosk_maintenance_pins_kiosk_id_kiosks")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_members.staff_id"],
                                name=op.f("fk_kiosk_maintenance_pins_staff_id_staff_members")),
        sa.PrimaryKeyConstraint("kiosk_id", "staff_id", name=op.f("pk_kiosk_maintenance_pins")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_maintenance_pins")

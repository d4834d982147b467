"""renewal proofs: a renewal compare or request needs the card's fresh signature (issue 15)

Revision ID: 20261206_renewal_proofs
Revises: 20261206_kiosk_maintenance_pins
Create Date: 2026-12-06 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_renewal_proofs"
down_revision: str | None = "20261206_kiosk_maintenance_pins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "renewal_proofs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("card_number", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_proofs")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_renewal_proofs_token_hash")),
    )
    with op.batch_alter_table("renewal_proofs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renewal_proofs_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("renewal_proofs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renewal_proofs_expires_at"))
    op.drop_table("renewal_proofs")

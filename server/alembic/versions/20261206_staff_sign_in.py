"""staff sign-in: refused attempts (per staff id and client address) and lockouts

Revision ID: 20261206_staff_sign_in
Revises: 20261206_renewal_proofs
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_staff_sign_in"
down_revision: str | None = "20261206_renewal_proofs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_failures")),
    )
    op.create_index(op.f("ix_staff_login_failures_at"), "staff_login_failures", ["at"], unique=False)
    op.create_index("ix_staff_login_failures_staff_at", "staff_login_failures", ["staff_id", "at"], unique=False)
    op.create_index("ix_staff_login_failures_client_at", "staff_login_failures", ["client", "at"], unique=False)
    op.create_table(
        "staff_lockouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_lockouts")),
    )
    op.create_index(op.f("ix_staff_lockouts_subject"), "staff_lockouts", ["subject"], unique=False)
    op.create_index(op.f("ix_staff_lockouts_until"), "staff_lockouts", ["until"], unique=False)


def downgrade() -> None:
    op.drop_table("staff_lockouts")
    op.drop_table("staff_login_failures")

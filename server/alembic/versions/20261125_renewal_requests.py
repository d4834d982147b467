"""renewal requests from the kiosk, and the address the library holds for each patron

Revision ID: 20261125_renewal_requests
Revises: 20261125_operations
Create Date: 2026-11-25 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_renewal_requests"
down_revision: str | None = "20261125_operations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patrons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=400), nullable=True))
    op.create_table(
        "renewal_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_code", sa.String(length=16), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("new_address", sa.String(length=400), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["patron_id"], ["patrons.id"], name=op.f("fk_renewal_requests_patron_id_patrons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_requests")),
        sa.UniqueConstraint("reference_code", name=op.f("uq_renewal_requests_reference_code")),
    )
    with op.batch_alter_table("renewal_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renewal_requests_patron_id"), ["patron_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("renewal_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renewal_requests_patron_id"))
    op.drop_table("renewal_requests")
    with op.batch_alter_table("patrons", schema=None) as batch_op:
        batch_op.drop_column("address")

"""registration applications: people without a library card apply at a kiosk, the counter completes (issue 19)

Revision ID: 20261207_registration_apps (alembic_version holds at most 32 characters: the file's name is longer)
Revises: 20261206_staff_sign_in
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_registration_apps"
down_revision: str | None = "20261206_staff_sign_in"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_code", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        # Personal data, cleared when the application leaves "waiting".
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("name_kana", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("card_key", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_applications")),
        sa.UniqueConstraint("reference_code", name=op.f("uq_registration_applications_reference_code")),
    )
    with op.batch_alter_table("registration_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_applications_card_key"), ["card_key"], unique=False)
        batch_op.create_index("ix_registration_applications_status_created", ["status", "created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registration_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_applications_status_created")
        batch_op.drop_index(batch_op.f("ix_registration_applications_card_key"))
    op.drop_table("registration_applications")

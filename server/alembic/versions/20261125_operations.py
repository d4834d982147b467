"""operations: kiosk enrollment codes and attempts, daily ticket statistics; audit retention floor

Revision ID: 20261125_operations
Revises: 20261125_fleet
Create Date: 2026-11-25 17:00:00

The audit log stays append-only (no UPDATE ever), but DELETE is now allowed for rows older than
365 days, so the retention command can apply the library's period; anything younger is refused by
the database itself, whoever asks.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_operations"
down_revision: str | None = "20261125_fleet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_FLOOR_DAYS = 365


def upgrade() -> None:
    op.create_table(
        "kiosk_enroll_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_kiosk_enroll_codes_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_kiosk_enroll_codes")),
    )
    with op.batch_alter_table("kiosk_enroll_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kiosk_enroll_codes_kiosk_id"), ["kiosk_id"], unique=False)
    op.create_table(
        "kiosk_enroll_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_enroll_attempts")),
    )
    with op.batch_alter_table("kiosk_enroll_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kiosk_enroll_attempts_at"), ["at"], unique=False)
    op.create_table(
        "ticket_daily_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("day", "service", name=op.f("pk_ticket_daily_stats")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND OLD.at < now() - interval '{AUDIT_FLOOR_DAYS} days' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_log is append-only';
            END;
            $$
            """
        )
    else:
        # SQLAlchemy stores SQLite timestamps as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC), which sorts as text.
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute(
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            f"WHEN OLD.at >= datetime('now', '-{AUDIT_FLOOR_DAYS} days') "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END;
            $$
            """
        )
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute(
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
    op.drop_table("ticket_daily_stats")
    with op.batch_alter_table("kiosk_enroll_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_enroll_attempts_at"))
    op.drop_table("kiosk_enroll_attempts")
    with op.batch_alter_table("kiosk_enroll_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_enroll_codes_kiosk_id"))
    op.drop_table("kiosk_enroll_codes")

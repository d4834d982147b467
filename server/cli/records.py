"""`python -m server admin` commands for the records the server keeps: the audit log's export, and the
retention periods applied to tickets, audit events, statistics and short-lived rows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from server import audit
from server.cli.common import actor, open_state
from server.config import Settings
from server.ops.retention import Periods, apply


def _cmd_audit_export(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session:
        text = audit.export_csv(session=session)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_retention(settings: Settings, _args: argparse.Namespace) -> int:
    state = open_state(settings)
    periods = Periods(tickets=settings.retention_tickets_days, audit=settings.retention_audit_days,
                      statistics=settings.retention_statistics_days,
                      ended_links=settings.retention_ended_links_days,
                      decided_migrations=settings.retention_decided_migrations_days,
                      registration_applications=settings.retention_registration_applications_days)
    try:
        with state.sessions() as session, session.begin():
            done = apply(session=session, periods=periods, now=state.clock.now(), today=state.clock.today())
            audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                         action="retention.apply", outcome="ok", detail=done)
    except (ValueError, DatabaseError) as error:
        # The database refuses to delete audit events younger than 365 days, whatever the setting says.
        print(f"retention not applied (nothing was deleted): {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    print("retention applied: " + ", ".join(f"{k} {v}" for k, v in done.items()))
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the records commands to `admin`."""
    p = sub.add_parser("audit-export", help="export the audit log as CSV")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(run=_cmd_audit_export)
    sub.add_parser("retention", help="delete tickets, audit events, statistics, ended links and decided migration "
                   "requests past their retention periods"
                   ).set_defaults(run=_cmd_retention)

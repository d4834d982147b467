"""`python -m server admin ...`: the administration commands, one module per group.

    common.py    what every command shares: open_state(settings), actor()
    kiosks.py    kiosk-create, kiosk-list, kiosk-revoke, kiosk-rotate, kiosk-maintenance-pin,
                 kiosk-enroll-code, enroll-unlock
    staff.py     staff-create, staff-list, staff-lockouts, staff-unlock
    patrons.py   import-patrons (the ILS's CSV), history, export-mykey-links (for the ILS)
    records.py   audit-export, retention
    backup.py    backup, restore
    demo.py      seed-demo

Each command is `run(settings, args) -> exit status`; server/__main__.py parses and calls it.
"""

from __future__ import annotations

import argparse

from server.cli import backup, demo, kiosks, patrons, records, staff


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `admin` and its subcommands to the top-level parser."""
    admin = commands.add_parser("admin", help="administration: kiosks, staff, import, history, audit")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    for group in (kiosks, staff, patrons, records, backup, demo):
        group.add_commands(sub)

"""`python -m server admin` commands for kiosks: register, list, revoke, rotate a secret, maintenance PINs,
and one-time enrollment codes (with the lockout of failed tries)."""

from __future__ import annotations

import argparse
import sys

from server import audit
from server.auth.kiosk import create_kiosk, list_kiosks
from server.auth.models import Kiosk
from server.cli.common import actor, open_state
from server.config import Settings
from server.fleet.enroll import clear_failures, client_key, issue_code
from server.fleet.maintenance import DEFAULT_DIGITS, clear_pin, pins_by_kiosk, set_pin, set_random_pin
from server.fleet.service import rotate_kiosk_secret


def _cmd_kiosk_create(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session, session.begin():
        if session.get(Kiosk, args.kiosk_id) is not None:
            print(f"kiosk {args.kiosk_id} exists already", file=sys.stderr)
            return 1
        kiosk = create_kiosk(session=session, kiosk_id=args.kiosk_id, name=args.name, now=state.clock.now(),
                             secret=args.secret)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                     action="kiosk.create", outcome="ok", detail={"kiosk_id": args.kiosk_id})
        print(f"kiosk {kiosk.kiosk_id} created; secret (put it in that kiosk's config, shown once):")
        print(kiosk.secret)
    return 0


def _cmd_kiosk_list(settings: Settings, _args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session:
        pins = pins_by_kiosk(session=session)
        for kiosk in list_kiosks(session=session):
            staff = ", ".join(pins.get(kiosk.kiosk_id, [])) or "none"
            print(f"{kiosk.kiosk_id}\t{'active' if kiosk.active else 'revoked'}\t{kiosk.name}"
                  f"\tmaintenance PINs: {staff}")
    return 0


def _cmd_maintenance_pin(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    what = "clear" if args.clear else "chosen" if args.pin else "random"
    detail = {"kiosk_id": args.kiosk_id, "staff_id": args.staff_id, "pin": what}
    try:
        with state.sessions() as session, session.begin():
            now = state.clock.now()
            if args.clear:
                if not clear_pin(session=session, kiosk_id=args.kiosk_id, staff_id=args.staff_id):
                    raise ValueError(f"{args.staff_id} has no maintenance PIN at {args.kiosk_id}")
                pin = None
            elif args.pin:
                set_pin(session=session, kiosk_id=args.kiosk_id, staff_id=args.staff_id, pin=args.pin, now=now)
                pin = None
            else:
                pin = set_random_pin(session=session, kiosk_id=args.kiosk_id, staff_id=args.staff_id, now=now,
                                     digits=args.digits)
            audit.record(session=session, at=now, actor_type="admin_cli", actor_id=actor(),
                         action="kiosk.maintenance_pin", outcome="ok", detail=detail)
    except ValueError as error:
        print(f"maintenance PIN of {args.staff_id} at {args.kiosk_id} not changed: {error}", file=sys.stderr)
        return 1
    if args.clear:
        print(f"{args.staff_id}: no maintenance PIN at {args.kiosk_id} any more (the kiosk drops it on its next "
              "refresh, within 15 minutes)")
    else:
        print(f"{args.staff_id}: maintenance PIN at {args.kiosk_id} set (the kiosk takes it on its next refresh, "
              "within 15 minutes); it opens that kiosk's maintenance mode only, not the staff pages")
    if pin is not None:
        print("the PIN (shown once; give it to that staff member only):")
        print(pin)
    return 0


def _cmd_kiosk_revoke(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, args.kiosk_id)
        if kiosk is None:
            print(f"no kiosk {args.kiosk_id}", file=sys.stderr)
            return 1
        kiosk.active = False
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                     action="kiosk.revoke", outcome="ok", detail={"kiosk_id": args.kiosk_id})
    print(f"kiosk {args.kiosk_id} revoked")
    return 0


def _cmd_kiosk_rotate(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, args.kiosk_id)
        if kiosk is None:
            print(f"no kiosk {args.kiosk_id}", file=sys.stderr)
            return 1
        if not kiosk.active:
            print(f"kiosk {args.kiosk_id} is revoked; a revoked kiosk keeps no secret worth rotating",
                  file=sys.stderr)
            return 1
        secret = rotate_kiosk_secret(session=session, kiosk_id=args.kiosk_id)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                     action="kiosk.rotate", outcome="ok", detail={"kiosk_id": args.kiosk_id})
    # The old secret is refused from now on: put this one in the kiosk's config (server.secret).
    print(f"kiosk {args.kiosk_id}: new secret (put it in that kiosk's config, shown once; the old one is refused):")
    print(secret)
    return 0


def _cmd_enroll_code(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    minutes = args.minutes or settings.enroll_code_minutes
    pins: dict[str, str] = {}
    try:
        with state.sessions() as session, session.begin():
            code = issue_code(session=session, kiosk_id=args.kiosk_id, now=state.clock.now(), minutes=minutes,
                              name=args.name)
            audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                         action="kiosk.enroll_code", outcome="ok",
                         detail={"kiosk_id": args.kiosk_id, "minutes": minutes})
            # Maintenance PINs for this kiosk only (server/fleet/maintenance.py), made with the code.
            for staff_id in dict.fromkeys(args.maintenance_staff):
                pins[staff_id] = set_random_pin(session=session, kiosk_id=args.kiosk_id, staff_id=staff_id,
                                                now=state.clock.now())
                audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                             action="kiosk.maintenance_pin", outcome="ok",
                             detail={"kiosk_id": args.kiosk_id, "staff_id": staff_id, "pin": "random"})
    except ValueError as error:
        print(f"cannot issue a code: {error}", file=sys.stderr)
        return 1
    print(f"kiosk {args.kiosk_id}: one-time enrollment code, valid for {minutes} minutes (shown once):")
    print(code)
    print(f"on the kiosk: python -m kiosk.enroll {code} --server <this server's public URL>")
    for staff_id, pin in pins.items():
        print(f"maintenance PIN of {staff_id} at {args.kiosk_id} (shown once; for that kiosk only): {pin}")
    return 0


def _cmd_enroll_unlock(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session, session.begin():
        cleared = clear_failures(session=session, client=args.client)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                     action="kiosk.enroll_unlock", outcome="ok",
                     detail={"client": client_key(args.client) if args.client else "*", "cleared": cleared})
    who = f"client {client_key(args.client)}" if args.client else "every client"
    print(f"enrollment: {cleared} failed tries of {who} forgotten; it may try again now")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the kiosk commands to `admin`."""
    p = sub.add_parser("kiosk-create", help="register a kiosk and print its secret")
    p.add_argument("kiosk_id")
    p.add_argument("--name", default="")
    p.add_argument("--secret", help="use this secret instead of a random one")
    p.set_defaults(run=_cmd_kiosk_create)
    sub.add_parser("kiosk-list", help="list kiosks").set_defaults(run=_cmd_kiosk_list)
    p = sub.add_parser("kiosk-revoke", help="revoke a kiosk (its requests get 401)")
    p.add_argument("kiosk_id")
    p.set_defaults(run=_cmd_kiosk_revoke)
    p = sub.add_parser("kiosk-rotate", help="give a kiosk a new secret (printed once; the old one gets 401)")
    p.add_argument("kiosk_id")
    p.set_defaults(run=_cmd_kiosk_rotate)
    p = sub.add_parser("kiosk-maintenance-pin",
                       help="set (random unless --pin) or --clear a staff member's maintenance PIN at one kiosk")
    p.add_argument("kiosk_id")
    p.add_argument("staff_id")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--pin", help="these digits (refused if a staff PIN or a maintenance PIN elsewhere)")
    how.add_argument("--digits", type=int, default=DEFAULT_DIGITS, help="length of a random PIN (default %(default)s)")
    how.add_argument("--clear", action="store_true", help="remove it: that staff member cannot sign in there")
    p.set_defaults(run=_cmd_maintenance_pin)
    p = sub.add_parser("kiosk-enroll-code", help="print a one-time code a kiosk redeems for its id and secret")
    p.add_argument("--kiosk-id", required=True)
    p.add_argument("--name", default="", help="name of a new kiosk")
    p.add_argument("--minutes", type=int, help="validity (default: enroll_code_minutes)")
    p.add_argument("--maintenance-staff", action="append", default=[], metavar="STAFF_ID",
                   help="also give this staff member a random maintenance PIN for this kiosk (repeatable)")
    p.set_defaults(run=_cmd_enroll_code)
    p = sub.add_parser("enroll-unlock", help="forget failed enrollment tries (429 enroll_rate_limited) of one "
                       "client address, or of all")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--client", help="the address the server saw (behind nginx: X-Forwarded-For)")
    who.add_argument("--all", action="store_true", help="every client address")
    p.set_defaults(run=_cmd_enroll_unlock)

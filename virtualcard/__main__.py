"""Command line of the virtual My Number card.

  python -m virtualcard serve --port P [--persona normal] [--control-port C]
  python -m virtualcard insert PERSONA [--control-port C]
  python -m virtualcard remove [--control-port C]
  python -m virtualcard status [--control-port C]
  python -m virtualcard make-personas [--dir DIR]
  python -m virtualcard list
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from virtualcard.control import default_control_port, send_command
from virtualcard.pki import DEFAULT_DIRECTORY, load_or_create
from virtualcard.stack import PrivateStack, start_private_stack

__all__ = ["PrivateStack", "main", "start_private_stack"]


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command."""
    parser = argparse.ArgumentParser(prog="python -m virtualcard", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve", help="put a persona's card into the vpcd reader and take commands")
    serve_p.add_argument("--port", type=int, default=35963, help="vpcd port of the pcscd reader")
    serve_p.add_argument("--persona", default="normal")
    serve_p.add_argument("--control-port", type=int, default=default_control_port())
    serve_p.add_argument("--personas-dir", type=Path)
    for name, text in (("insert", "switch the card to PERSONA"), ("remove", "pull the card out"),
                       ("status", "which card is in")):
        p = sub.add_parser(name, help=text)
        if name == "insert":
            p.add_argument("persona")
        p.add_argument("--control-port", type=int, default=default_control_port())
    make_p = sub.add_parser("make-personas", help="(re)generate the test PKI and personas")
    make_p.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY)
    list_p = sub.add_parser("list", help="list the personas")
    list_p.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)

    if args.command == "serve":
        from virtualcard.serve import serve

        return serve(args.port, args.persona or None, args.control_port, args.personas_dir)
    if args.command in ("insert", "remove", "status"):
        line = f"insert {args.persona}" if args.command == "insert" else args.command
        answer = send_command(line, args.control_port)
        print(answer)
        return 0 if answer.startswith("ok") else 1
    if args.command == "make-personas":
        shutil.rmtree(args.dir, ignore_errors=True)
        pki = load_or_create(args.dir)
        print(f"made {len(pki.personas)} personas in {pki.directory}")
        return 0
    pki = load_or_create(args.dir)
    for persona in pki.personas.values():
        print(
            f"{persona.key:17} card={persona.library_card or '-':10} kind={persona.kind:8} "
            f"auth_tries={persona.auth_tries} CA={persona.ca_generation} {persona.name}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

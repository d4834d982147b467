"""`python -m server admin seed-demo`: the demo data set (the virtual card's personas, a kiosk, staff)."""

from __future__ import annotations

import argparse

from server.cli.common import open_state
from server.config import Settings
from server.seed import seed_demo


def _cmd_seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    state = open_state(settings.model_copy(update={"use_test_pki": True}))
    seed_demo(state=state)
    print("demo data set is in place")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add seed-demo to `admin`."""
    sub.add_parser("seed-demo", help="create the demo data set").set_defaults(run=_cmd_seed_demo)

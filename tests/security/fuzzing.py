"""Example counts for the fuzz tests: small and seeded in `make test`, many and random in `make fuzz`."""

from __future__ import annotations

import os

#: How many times more examples a `make fuzz` run (HYPOTHESIS_PROFILE=long) tries than `make test`.
LONG_FACTOR = 50


def is_long_run() -> bool:
    """True under `make fuzz`."""
    return os.environ.get("HYPOTHESIS_PROFILE") == "long"


def examples(count: int) -> int:
    """`count` examples in CI; LONG_FACTOR times as many in a long fuzz run."""
    return count * LONG_FACTOR if is_long_run() else count

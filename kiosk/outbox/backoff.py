"""Retry delays: exponential, capped, with jitter so a fleet of kiosks does not retry in step."""

from __future__ import annotations

import random


def retry_delay(failures: int, *, base_s: float, max_s: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after `failures` failures in a row (>= 1): between half and all of min(max, base·2ⁿ⁻¹)."""
    ceiling = min(max_s, base_s * 2 ** min(failures - 1, 30))
    return ceiling * (0.5 + 0.5 * (rng or random).random())

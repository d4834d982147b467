"""Estimated wait, from the day's recent service times.

    wait = ceil(people_ahead * median(recent service times) / counters serving)

- service time: called -> served, for the last RECENT tickets of that service served today
  (no-shows and cancellations are left out: their times say nothing about serving);
- counters serving: the counters that called a ticket of that service in the last
  ACTIVE_WINDOW (at least 1);
- nobody ahead: 0 minutes; no ticket of that service served yet today: unknown (None),
  rather than a guess from another day.
"""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

RECENT = 10
ACTIVE_WINDOW = timedelta(minutes=30)


def estimate_wait_minutes(*, people_ahead: int, service_minutes: list[float], counters_serving: int) -> int | None:
    """Minutes until this ticket is likely called, or None when there is nothing to go on."""
    if people_ahead <= 0:
        return 0
    if not service_minutes:
        return None
    per_ticket = statistics.median(service_minutes)
    return math.ceil(people_ahead * per_ticket / max(1, counters_serving))

"""The kiosk's durable outbox: requests that may be finished later, kept in SQLite until the server has them.

    store.py     the SQLite file (pending and refused items)
    backoff.py   capped, jittered exponential retry delays
    outbox.py    Outbox: put(), the sender thread, pending()/dead()/len()
    delivery.py  what each kind of item is on the API, and which refusals are final
"""

from kiosk.outbox.outbox import Outbox
from kiosk.outbox.store import Item

__all__ = ["Item", "Outbox"]

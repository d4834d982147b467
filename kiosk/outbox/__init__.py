"""The kiosk's durable outbox: requests that may be finished later, kept in SQLite until the server has them.

    store.py     the SQLite file (pending and refused items)
    backoff.py   capped, jittered exponential retry delays
    outbox.py    Outbox: senders by kind, put(), the sender thread, pending()/dead()/len()

It knows no kind of item and no API: each kind is defined once by the module that puts it (with its sender),
and kiosk/deliveries.py registers them all with the client when the app is composed.
"""

from kiosk.outbox.outbox import Outbox, Sender, UnknownKindError
from kiosk.outbox.store import Item

__all__ = ["Item", "Outbox", "Sender", "UnknownKindError"]

"""The server's print mark for a queue ticket that came out of the printer (a first print or a staff
reprint), queued in the outbox so it reaches the server even when it is down at that moment."""

from __future__ import annotations

from kiosk.api.client import KioskApiClient
from kiosk.outbox import Item, Outbox

TICKET_PRINTED_KIND = "ticket_printed"  # the outbox kind (payload: ticket_id, reprint)


def put_ticket_printed(outbox: Outbox, ticket_id: str, *, reprint: bool = False, key: str | None = None) -> Item:
    """Queue the print mark; one key per print (the same key again is the same mark)."""
    return outbox.put(TICKET_PRINTED_KIND, {"ticket_id": ticket_id, "reprint": reprint},
                      key or f"printed-{ticket_id}")


def send_ticket_printed(client: KioskApiClient, item: Item) -> None:
    """The outbox's sender for TICKET_PRINTED_KIND."""
    p = item.payload
    client.mark_ticket_printed(p["ticket_id"], idempotency_key=item.idempotency_key,
                               reprint=bool(p.get("reprint", False)))

"""Export of MyKey links for the library's ILS: which library card is now tied to which マイキーID.

CSV, UTF-8 with a header row (docs/ils-mykey-links-example.csv):
    card_number,mykey_id,linked_at,previous_scheme
linked_at is ISO 8601 in Asia/Tokyo; previous_scheme is "old" when the link replaced an old-scheme
(certificate serial) link, else empty. Only active links are listed; --since limits them to links
made on or after a date (the ILS's last import), so a daily job sends only the new ones.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.clock import LIBRARY_TZ
from server.patrons.models import Linkage, Patron

COLUMNS = ("card_number", "mykey_id", "linked_at", "previous_scheme")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def mykey_links_csv(*, session: Session, since: date | None = None) -> tuple[str, int]:
    """(CSV text, number of links) of active MyKey links, oldest first."""
    query = (select(Patron.card_number, Linkage.mykey_id, Linkage.created_at, Linkage.patron_id)
             .join(Patron, Patron.id == Linkage.patron_id)
             .where(Linkage.scheme == "mykey", Linkage.active).order_by(Linkage.created_at, Linkage.id))
    if since is not None:
        query = query.where(Linkage.created_at >= datetime(since.year, since.month, since.day, tzinfo=LIBRARY_TZ))
    had_old = set(session.scalars(select(Linkage.patron_id).where(Linkage.scheme == "old")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for card_number, mykey_id, created_at, patron_id in session.execute(query):
        linked = _aware(created_at).astimezone(LIBRARY_TZ).isoformat(timespec="seconds")
        writer.writerow([card_number, mykey_id, linked, "old" if patron_id in had_old else ""])
        count += 1
    return out.getvalue(), count

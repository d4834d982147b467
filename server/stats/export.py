"""The report as one tidy CSV (UTF-8 with a BOM, so spreadsheet software in Japan reads it right).

One row per figure: section, service, outcome, reason, kiosk_id, period, value. A suppressed count is
written as "<N" (N = the threshold), never as a number.
"""

from __future__ import annotations

import csv
import io

from server.stats.schemas import OUTCOMES, StatsPublic

HEADER = ("section", "service", "outcome", "reason", "kiosk_id", "period", "value")


def _value(count: int | float | None, min_cell: int) -> str:
    return f"<{min_cell}" if count is None else str(count)


def report_csv(report: StatsPublic) -> str:
    """The CSV text of `report`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    k = report.min_cell
    period = f"{report.start.isoformat()}/{report.end.isoformat()}"
    t = report.totals
    writer.writerow(("total_sessions", "", "", "", "", period, _value(t.sessions, k)))
    for outcome in OUTCOMES:
        writer.writerow(("total_sessions", "", outcome, "", "", period, _value(getattr(t, outcome), k)))
    writer.writerow(("total_tickets", "", "", "", "", period, _value(t.tickets, k)))
    writer.writerow(("total_average_wait_minutes", "", "", "", "", period,
                     "" if t.average_wait_minutes is None else t.average_wait_minutes))
    for row in report.outcomes:
        writer.writerow(("kiosk_outcome", row.service, row.outcome, "", "", period, _value(row.count, k)))
    for row in report.reasons:
        writer.writerow(("kiosk_outcome_reason", row.service, row.outcome, row.reason, "", period,
                         _value(row.count, k)))
    for kiosk in report.kiosks:
        for name in ("sessions", *OUTCOMES):
            writer.writerow(("kiosk", "", "" if name == "sessions" else name, "", kiosk.kiosk_id, period,
                             _value(getattr(kiosk, name), k)))
    for rows, label in ((report.hours, "hour"), (report.days, "day")):
        for period_row in rows:
            writer.writerow((f"sessions_by_{label}", "", "", "", "", period_row.key, _value(period_row.sessions, k)))
            writer.writerow((f"tickets_by_{label}", "", "", "", "", period_row.key, _value(period_row.tickets, k)))
    for ticket in report.tickets:
        for name in ("issued", "served", "no_show", "called"):
            writer.writerow((f"tickets_{name}", ticket.service, "", "", "", period, _value(getattr(ticket, name), k)))
        writer.writerow(("tickets_average_wait_minutes", ticket.service, "", "", "", period,
                         "" if ticket.average_wait_minutes is None else ticket.average_wait_minutes))
    for follow_up in report.follow_ups:
        writer.writerow((f"{follow_up.kind}_requests", "", follow_up.status, "", "", period,
                         _value(follow_up.count, k)))
    return "\ufeff" + out.getvalue()

"""Statistics without personal data (issue #11.5).

    models.py    kiosk_outcomes (what kiosks report) and ticket_hourly_stats (tickets rolled up before pruning)
    schemas.py   the kiosk's outcome event, and the report the staff page shows
    service.py   recording an outcome (one counter increment), the rollup retention calls
    report.py    the report over a date range, with small counts suppressed
    export.py    the same report as CSV
"""

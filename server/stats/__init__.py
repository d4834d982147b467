"""Statistics without personal data (issue #11.5).

    models.py    kiosk_outcomes (what kiosks report), ticket_hourly_stats and ticket_daily_stats (tickets
                 rolled up before retention deletes them)
    schemas.py   the kiosk's outcome event, and the report the staff page shows
    service.py   recording an outcome (one counter increment), the rollup retention calls
    report.py    the report over a date range, with small counts suppressed
    export.py    the same report as CSV
    router.py    POST /v1/kiosk/outcomes (kiosk); /v1/stats, /v1/stats.csv and the /stats page (staff)
"""

"""Operations: kiosk enrollment, the kiosk version gate, backups, retention, ILS export.

    models.py     enrollment codes, enrollment attempts (rate limit), daily ticket statistics
    enroll.py     one-time enrollment codes: issue (admin CLI) and redeem (kiosk), rate limited
    routes.py     POST /v1/kiosk/enroll
    versions.py   kiosk version comparison and the ASGI gate answering kiosk_version_unsupported
    backup.py     backup and restore: pg_dump / pg_restore, SQLite's online backup API
    retention.py  retention periods applied to tickets, audit events, statistics and short-lived rows
    ils.py        export of MyKey links for the library's ILS (CSV)

Their `python -m server admin` commands are in server/cli/.
"""

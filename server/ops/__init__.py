"""Operations: health, the kiosk version gate, backups and retention.

    health.py        GET /health (with the patron source's state) and /health/clock
    versions.py      kiosk version comparison and the ASGI gate answering kiosk_version_unsupported
    backup.py        backup and restore: pg_dump / pg_restore, SQLite's online backup API
    backup_crypt.py  backups encrypted to age recipients
    backup_copy.py   the off-site copy of a backup
    retention.py     retention periods applied to tickets, audit events, statistics and short-lived rows

Their `python -m server admin` commands are in server/cli/. Kiosk enrollment is server/fleet/, the ILS
export server/patrons/ils.py, the daily ticket counts server/stats/models.py.
"""

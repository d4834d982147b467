"""Central registration API of the Saga Prefectural Library lobby kiosks.

Layout:
    __main__.py      command line: serve, migrate, admin ...
    config.py        typed settings (config/server.toml + SERVER_* env vars)
    app.py           FastAPI app factory; api/ holds deps and one router per resource
    db.py, models.py SQLAlchemy engine/session and tables; alembic/ holds the schema history
    domain/          plain-Python rules (card numbers, expiry, linkages, migration, ...)
    auth/            kiosk HMAC and staff accounts
    mykey/           MyKey platform connector interface and its local simulator
    errors.py        the one table of error codes with Japanese and English messages
"""

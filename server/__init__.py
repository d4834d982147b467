"""Central registration API of the Saga Prefectural Library lobby kiosks.

One package per domain, each with its tables (models.py), bodies (schemas.py), logic (service.py and
modules named for their job) and routes (router.py), as Netflix's dispatch lays out its domains:
    patrons/     patrons, linkages, the expiry rule, library card numbers, the ILS export; staff look-up;
                 the patron-source port (source.py) card lookups go through
    ils/         the patron source's adapters: the server's database, or the library's ILS over SIP2
    cards/       the My Number card's proof: challenges, the card's answer checked, expiry by card
    checkup/     the card check-up
    migration/   the switch of a card's link to the MyKey scheme (移行), held for staff or not
    renewals/    card renewal asked at a kiosk, confirmed at the counter
    applications/ registration applications from a kiosk (no library card yet), completed at the counter
    tickets/     queue tickets: numbering, the group commit, the counter console, the lobby and status views
    fleet/       kiosk enrollment, heartbeats, maintenance PINs, the fleet page
    staff/       staff sign-in and sessions, sign-in lockouts, the audit log
    stats/       statistics without personal data
    ops/         operations: health, the kiosk version gate, backups, retention
    mykey/       the MyKey platform's interface and its local simulator

Shared parts:
    __main__.py  command line: serve, migrate, admin ... (cli/: the admin commands)
    app.py       FastAPI app factory: includes every domain's router
    config.py    typed settings (config/server.toml + SERVER_* env vars); clock.py the library's clock
    db.py        engine, sessions, the one declarative Base, the schema upgrade (alembic/: its history)
    tables.py    every domain's tables loaded onto that Base (for Alembic and the schema test)
    state.py     the per-process state routes share (sessions, trust store, MyKey connector, ...)
    bootstrap.py that state built from the settings (the app factory, the admin CLI)
    jpki.py      JPKI certificates: parsing, signatures, the trust store (chains, dates, CRLs)
    audit.py     the append-only audit log and its table
    errors.py    the one table of error codes with Japanese and English messages
    auth/        kiosk HMAC and replay protection; staff accounts, sessions and sign-in lockouts
    api/         HTTP parts every router uses: dependencies, idempotent kiosk changes, error bodies and
                 handlers, body guard, security headers, the static pages (web/)
"""

"""The HTTP parts every domain's router uses (the routers themselves are in their domains' packages).

    deps.py              dependencies: SessionDep, KioskDep, SignedKioskDep, StaffDep, AdminDep, ...
    idempotent.py        a kiosk state change run once per Idempotency-Key, in one transaction
    idempotency.py       the stored first answers (table idempotency_records), claim and replay
    schemas.py           the error body every route documents, and the stored time
    common.py            small helpers (strict base64)
    handlers.py          error handlers: every error is {"error": {...}}
    middleware.py        the body guard (size, content type)
    security_headers.py  the security headers on every answer
    pages.py             the web pages and their files (server/web)
"""

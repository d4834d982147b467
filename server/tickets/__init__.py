"""Queue tickets (整理券): numbering shared by every kiosk, counter calls, the lobby and status pages.

- catalog.py    services (prefix, names) and counter windows, from settings
- hours.py      opening hours and closed days (Asia/Tokyo wall clock, jpholiday)
- numbering.py  the atomic per-(service, day) number
- wait.py       the wait estimator
- models.py     tables on the shared declarative Base (migration 20261125_tickets)
- service.py    state changes: issue, printed, call next, recall, served / no-show / cancel
- queries.py    read models: position and wait, console overview, lobby board, status page
- alerts.py     kiosk "call staff" alerts
- events.py     change events in the database, and the per-process listener that wakes SSE streams
- reads.py      read-only sessions for the live pages (no SQLite write lock)
- schemas.py    request and response bodies
- callout.py    the words of a lobby call (Japanese and English) and the key of its audio
- voice.py      the call's WAV: a chime, then the words spoken, and this process's cache of them
- writer.py     group commit of POST /v1/tickets: one transaction and commit for the tickets asked meanwhile
- router.py     kiosk routes: the services, issuing a ticket, print bookkeeping, "call staff"
- counter_router.py  the counter console's routes (staff)
- lobby_router.py    the public live views: the lobby board and a ticket's status (JSON and event streams)
- callout_router.py  the lobby's spoken call: GET /v1/lobby/calls/{key}/audio (public, no personal data)
"""

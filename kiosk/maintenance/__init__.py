"""Staff maintenance mode on the kiosk, without Kivy: the screens call these, from a worker thread.

Start here: runtime.py's `Maintenance.from_settings(settings, client, printer, renderer)` wires all of it.

Layout:
    runtime.py       Maintenance: the parts below built from [maintenance]; start() / stop() the threads
    staff_cache.py   StaffCache: this kiosk's maintenance PIN hashes + roles, in a 0600 file (offline sign-in)
    signin.py        StaffSignIn(cache, clock, max_tries, lockout_s, audit).attempt(staff_id, pin_bytearray)
    session.py       MaintenanceSession: who is signed in; expired() after the idle minutes
    diagnostics.py   collect(...) -> Diagnostics (reader, card, server + RTT, printer, disk, version, config)
    service_mode.py  ServiceMode: in service / out of service, persisted in the data directory
    ticket_log.py    TicketLog: tickets printed today (no personal data), for reprints
    actions.py       MaintenanceActions: test print, reprint, service switch, restart (RESTART_EXIT_CODE)
    audit.py         AuditTrail: every staff action queued for the server's audit log
    heartbeat.py     HeartbeatSender + current_state(): the kiosk's state to the fleet page
    probes.py        Bounded: a check in a thread with a deadline, never raising

The staff actions and heartbeats it sends are shapes of the API (kiosk/api/wire.py); its private files are
kiosk/private_files.py and the app version kiosk/version.py, which the API client uses too.
"""

"""Staff at the counter and administrators: sign-in and sessions, sign-in lockouts, the audit log.

    schemas.py   sign-in and its session, the lockouts in force, audit rows
    router.py    /v1/staff/sessions, /v1/staff/lockouts, /v1/staff/audit

The accounts, sessions and lockouts themselves (tables and checks) are server/auth/, which every staff
route's dependency uses; a staff route of another domain is in that domain's router (patrons, migration,
renewals, tickets' counter, fleet, stats).
"""

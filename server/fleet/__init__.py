"""Kiosk fleet: enrollment, heartbeats, the state each kiosk is in, maintenance PINs, staff actions reported
by kiosks. (Each kiosk's identity and signing secret are server/auth/: every kiosk route checks them.)

    models.py          heartbeats, reported errors, maintenance PINs, enrollment codes and attempts
    schemas.py         request and response bodies
    service.py         heartbeats, the fleet overview, staff actions, kiosk secret rotation
    maintenance.py     maintenance PINs: each different from every staff PIN and every other kiosk's
    enroll.py          one-time enrollment codes: issue (admin CLI) and redeem (kiosk), rate limited
    router.py          /v1/kiosk/maintenance-credentials, heartbeat, audit; /v1/fleet/kiosks; the /fleet page
    enroll_router.py   POST /v1/kiosk/enroll (no signature: the kiosk has none yet)
"""

"""The card check-up: what a My Number card that proved itself is linked to, and what the patron should do.

    schemas.py   the check-up's answer
    service.py   the check-up itself (audited; no table of its own)
    router.py    POST /v1/cards/by-mynumber/checkup
"""

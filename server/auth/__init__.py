"""Authentication: kiosks sign requests with HMAC (kiosk.py, its key cache kiosk_keys.py); staff log in with a
PIN (staff.py), locked out after repeated failures (staff_lockout.py). models.py: the kiosks and their
secrets, the nonces seen, the staff accounts, sessions, failures and lockouts."""

"""Authentication: kiosks sign requests with HMAC (kiosk.py); staff log in with a PIN (staff.py)."""

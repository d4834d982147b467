"""Kiosk fleet health: heartbeats, the state each kiosk is in, staff actions reported by kiosks.

Layout: models.py (tables), schemas.py (request/response bodies), service.py (keyword-only
functions); the routes are server/api/routes/fleet.py and the page server/web/fleet.*.
"""

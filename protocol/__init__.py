"""Wire protocol shared by the kiosk and the central server.

Only what both sides must agree on byte for byte lives here: the request-signing
scheme (`protocol.signing`). Neither side's business code belongs in this package.
"""

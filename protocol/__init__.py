"""Wire protocol shared by the kiosk and the central server.

Only what both sides must agree on byte for byte lives here: the request-signing
scheme (`protocol.signing`), the card number's check digit (`protocol.cardnumber`), and how
the voices read the library's words (`protocol.readings`: the kiosk's guidance and the lobby's
call-outs say a ticket's number alike). Neither side's business code belongs in this package.
"""

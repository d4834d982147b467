"""The My Number card's proof: the single-use challenge the card signs, and the checks of its answer.

    schemas.py   the challenge, and the card's answer (certificate and signature)
    service.py   the one check every flow uses (certificate, then signature), and the card's active link
    expiry.py    the expiry of the library card linked to a card that proved itself
    router.py    POST /v1/cards/challenges, GET /v1/cards/{card_number}/expiry, POST /v1/cards/by-mynumber/expiry

The JPKI certificates themselves (parsing, the trust store) are server/jpki.py, which MyKey's simulator
uses too.
"""

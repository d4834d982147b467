"""The virtual My Number card for tests and `make run` (never shipped to kiosks).

Layout: personas.py (who the test patrons are), pki.py (the TEST CA, their
certificates, the CRL, cached in var/personas/), card.py (the APDU engine),
fake.py (in-process connection for unit tests), vpcd.py (the card on
vsmartcard-vpcd's wire), pcscd.py (a private pcscd), __main__.py (the CLI and
start_private_stack).
"""

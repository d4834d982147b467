"""Migration (移行): a library card's link switched from the old scheme (certificate serial and issuer) to
the MyKey scheme (マイキーID), at once or held for staff confirmation (policy "staff"). Not the database
schema's migrations: those are Alembic revisions in server/alembic.

    models.py    migration requests held for staff, and their outcome
    schemas.py   the kiosk's request and its outcome; a held request as staff see it
    service.py   migrate (verify the card's proof, switch or hold), confirm, reject, list
    router.py    POST /v1/migrations (and the challenge's deprecated alias); /v1/staff/migrations
"""

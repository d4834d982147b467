"""Card renewal (更新) asked for at a kiosk and confirmed once at the counter.

    models.py    renewal requests waiting for the counter, and renewal proofs (a card signed in this session)
    schemas.py   the kiosk's proof, compare and request; a request and its outcome for the counter
    service.py   compare the card with the record, store a request, complete or cancel it at the counter
    proof.py     the proof a compare and a request need, and the compare limits per card and per kiosk
    router.py    /v1/renewals (kiosk) and /v1/staff/renewals (counter)
"""

"""Registration applications (登録申請) from the kiosk, for people without a library card.

With their My Number card the patron proves the card is there (its 利用者証明用 signature over a server
challenge) and the kiosk sends what the card's 券面事項入力補助AP holds (name, address, birth date, sex;
never the 個人番号) plus a phone number and/or e-mail the patron adds. The counter checks the card face
to face, issues the library card and completes the application in one confirmation; the application then
forgets every personal fact and keeps a non-personal row (times, kiosk, state) for the statistics.

    models.py      the registration_applications table
    schemas.py     the kiosk's application, the counter's view, the accepted IDs
    contact.py     phone number and e-mail syntax (typed errors)
    service.py     apply, list, complete, withdraw; retention's forgetting and pruning; the statistics' counts
    router.py      the kiosk's routes (/v1/registration/...) and the counter's (/v1/staff/registration-...)
"""

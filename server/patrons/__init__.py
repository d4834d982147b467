"""Patrons: the library's users, their cards' expiry rule, and the links of a card to a My Number card.

    models.py        patrons and linkages (history kept; one active linkage per patron)
    schemas.py       a card's expiry, a patron with their linkages, as the API answers them
    service.py       find, create and renew patrons; a patron's expiry on the library's today
    expiry.py        the library's expiry rule (plain dates, no database)
    card_numbers.py  library card numbers: the shared rule (protocol.cardnumber) as the API's error
    linkage.py       linkages: add, switch to the MyKey scheme, end, find, history
    source.py        the patron-source port: a card's standing, whoever answers (adapters: server/ils/)
    ils.py           export of the MyKey links for the library's ILS (CSV)
    router.py        staff routes: look a patron up, renew a card
"""

"""A small SIP2 (3M Standard Interchange Protocol 2.00) client: the messages a self-check reads patrons with."""

"""Where the server asks about patrons: its own database, or the library's ILS live over SIP2 (read only)."""

"""Kivy screens of the lobby kiosk: they show the core's state and forward taps, nothing more.

Layout: ``app.py`` builds the window and the screen manager; ``base.py`` is the screen base class;
each screen is ``<name>.py`` plus ``<name>.kv``; ``widgets.kv`` holds the shared look;
``fonts.py`` makes a Japanese font the default; ``driver.py`` is the remote control the UI tests use.
"""

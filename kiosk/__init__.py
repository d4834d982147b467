"""Kiosk core: plain Python with no Kivy import (card reader, API client, printer, flows, settings)."""

"""Typed printer errors: the screens map each to a message; the ticket itself is never lost by them."""

from __future__ import annotations


class PrinterError(Exception):
    """The ticket could not be printed; the caller still holds the issued ticket and can reprint it."""


class PrinterOfflineError(PrinterError):
    """The printer cannot be reached, does not answer, or reports itself offline."""


class PaperOutError(PrinterError):
    """The paper roll is empty."""


class CoverOpenError(PrinterError):
    """The printer's cover is open."""


class FontNotFoundError(PrinterError):
    """No usable Japanese font: the configured path is missing or lacks Japanese glyphs."""


class PrinterConfigError(ValueError):
    """A printer setting is missing or has a bad value; the message names the setting."""

"""Small helpers shared by routes."""

from __future__ import annotations

import base64
import binascii

from server.errors import ApiError


def decode_base64(text: str, *, error_code: str) -> bytes:
    """Strict base64 (whitespace allowed), else ApiError(error_code)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(error_code) from None

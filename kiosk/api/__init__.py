"""The kiosk's client for the central registration API (requests; no Kivy).

    client = KioskApiClient(base_url, kiosk_id, secret, timeout=8.0)
    client.card_expiry("2000000014")

Every request is signed (protocol.signing); state-changing calls carry an idempotency key
and are retried once with the same key when the connection fails. Errors are typed:
ServerUnreachableError, ServerError, ApiError(code, message_ja, message_en).
"""

from kiosk.api.client import (
    CardExpiry,
    HmacAuth,
    KioskApiClient,
    MigrationChallenge,
    MigrationOutcome,
)
from kiosk.api.errors import ApiError, KioskApiError, ServerError, ServerUnreachableError

__all__ = [
    "ApiError",
    "CardExpiry",
    "HmacAuth",
    "KioskApiClient",
    "KioskApiError",
    "MigrationChallenge",
    "MigrationOutcome",
    "ServerError",
    "ServerUnreachableError",
]

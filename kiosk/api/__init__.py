"""The kiosk's client for the central registration API (requests; no Kivy).

    client = KioskApiClient(base_url, kiosk_id, secret, timeout=8.0)
    client.card_expiry("2000000014")

Every request is signed (protocol.signing); state-changing calls carry an idempotency key
and are retried once with the same key when the connection fails. Errors are typed:
ServerUnreachableError, ServerError, ApiError(code, message_ja, message_en).

    transport.py  signing, sending, error decoding, reading each answer into its shape (typed errors)
    wire.py       the answers' shapes, as the kiosk reads them (the flows use them too)
    client.py     KioskApiClient: one method per endpoint; the privacy ledger hook; the clock checks
    errors.py     the typed errors
"""

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, IlsUnreachableError, KioskApiError, ServerError, ServerUnreachableError
from kiosk.api.transport import HmacAuth
from kiosk.api.wire import CardExpiry, MigrationChallenge, MigrationOutcome

__all__ = [
    "ApiError",
    "CardExpiry",
    "HmacAuth",
    "IlsUnreachableError",
    "KioskApiClient",
    "KioskApiError",
    "MigrationChallenge",
    "MigrationOutcome",
    "ServerError",
    "ServerUnreachableError",
]

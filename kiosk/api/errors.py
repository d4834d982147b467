"""Typed failures of the central API, for the screens' one error table."""

from __future__ import annotations

from datetime import datetime


class KioskApiError(Exception):
    """Base of every failure talking to the central server."""


class ServerUnreachableError(KioskApiError):
    """No answer: connection refused, DNS failure or timeout."""


class ServerError(KioskApiError):
    """The server answered but failed (5xx, or an answer that is not the API's JSON)."""

    def __init__(self, status: int, text: str = "") -> None:
        super().__init__(f"server error {status}: {text[:200]}")
        self.status = status


class ApiError(KioskApiError):
    """The server refused the request with a stable code and messages for the patron."""

    def __init__(
        self, code: str, message_ja: str, message_en: str, status: int, details: dict | None = None
    ) -> None:
        super().__init__(f"{code} ({status}): {message_en}")
        self.code = code
        self.message_ja = message_ja
        self.message_en = message_en
        self.status = status
        # Machine-readable facts some codes carry (error.details), e.g. counter_closed's opens_at.
        self.details = details or {}

    @property
    def opens_at(self) -> datetime | None:
        """When the counter opens (counter_closed), aware; None if not given."""
        value = self.details.get("opens_at")
        return datetime.fromisoformat(value) if isinstance(value, str) else None


class KioskVersionUnsupportedError(ApiError):
    """The server no longer accepts this kiosk's version (kiosk_version_unsupported): it must be updated."""

    @property
    def minimum_version(self) -> str | None:
        """The oldest version the server accepts."""
        value = self.details.get("minimum_version")
        return value if isinstance(value, str) else None


class StaleRequestError(ApiError):
    """The server refused the request's timestamp (stale_request): this kiosk's clock is outside its window."""


class IlsUnreachableError(ApiError):
    """The server could not reach the library's ILS (ils_unreachable): nothing is known about the card, so it
    must never be shown as expired; asking again later may work."""


class RegistrationContactError(ApiError):
    """The server refused the phone number or e-mail address of a registration application (invalid_phone,
    invalid_email), or neither was given (registration_contact_required): the patron types it again."""

    @property
    def field(self) -> str | None:
        """The field to type again ("phone" or "email"); None when neither was given."""
        return {"invalid_phone": "phone", "invalid_email": "email"}.get(self.code)


class RegistrationRefusedError(ApiError):
    """A registration application the kiosk cannot take (registration_already_patron: the card is linked to a
    library card; registration_pending: one already waits): the counter sorts it out."""

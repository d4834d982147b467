"""Signed HTTP to the central API: one call helper that sends, decodes errors and reads the answer.

Every answer is read inside `Transport.call`, into the shape the caller names, so every client method
has the same typed errors by construction: ServerUnreachableError (no answer), ApiError and its
subclasses (the API's error JSON), ServerError (5xx, not the API's JSON, or a 2xx answer that is not
the named shape — a broken proxy or a wrong server). The flow runner drops untyped exceptions, so an
untyped one would leave the patron's screen waiting until the idle wipe.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from kiosk.api.errors import (
    ApiError,
    IlsUnreachableError,
    KioskVersionUnsupportedError,
    RegistrationContactError,
    RegistrationRefusedError,
    ServerError,
    ServerUnreachableError,
    StaleRequestError,
)
from kiosk.version import app_version
from protocol import signing

VERSION_HEADER = "X-Kiosk-Version"
# What reading a body of the wrong shape raises (wire.py's from_json): a typed ServerError here.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)

T = TypeVar("T")


def kiosk_version() -> str:
    """This kiosk's version, as every request tells the server."""
    return app_version()


class HmacAuth(requests.auth.AuthBase):
    """Signs a prepared request with the kiosk's secret (usable with any requests call)."""

    def __init__(self, kiosk_id: str, secret: str, clock_offset_s: float = 0.0) -> None:
        self.kiosk_id = kiosk_id
        self.secret = secret
        # Added to the clock when signing ([server] clock_offset_s): drills of a skewed kiosk clock.
        self.clock_offset_s = clock_offset_s

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add X-Kiosk-Id, X-Timestamp, X-Nonce and X-Signature."""
        parts = urlsplit(request.url or "")
        path_with_query = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("a streamed request body cannot be signed; send bytes")
        request.headers.update(
            signing.signed_headers(
                kiosk_id=self.kiosk_id,
                secret=self.secret,
                method=request.method or "GET",
                path_with_query=path_with_query,
                body=body,
                now=time.time() + self.clock_offset_s,
            )
        )
        return request


@dataclass(frozen=True)
class Outgoing:
    """A request about to be sent, as the request hooks see it (before it leaves: it may fail on the way)."""

    method: str
    path: str
    purpose: str  # which request: "checkup", "migration", "challenge", ... ("other" when unnamed)
    fields: tuple[str, ...]  # the names the card number in the path was given, then the JSON body's keys
    background: bool  # no patron data: heartbeats, print marks, staff audit, statistics counts, clock checks


RequestHook = Callable[[Outgoing], None]


class Transport:
    """One signed session to the central API. Thread-safe enough for one worker thread per call."""

    def __init__(
        self, base_url: str, kiosk_id: str, secret: str, timeout: float = 8.0, *, ca_file: str | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._auth = HmacAuth(kiosk_id, secret, clock_offset_s)
        self._session = requests.Session()
        self._session.auth = self._auth
        # Every request says which version this is, so the server can refuse one it no longer supports.
        self._session.headers[VERSION_HEADER] = kiosk_version()
        if ca_file:
            # Trust exactly this CA for the server's TLS certificate (verification stays on).
            self._session.verify = ca_file
        self._request_hooks: list[RequestHook] = []

    @property
    def kiosk_id(self) -> str:
        """The id this transport signs as."""
        return self._auth.kiosk_id

    def add_request_hook(self, hook: RequestHook) -> None:
        """Call ``hook`` with every call's request just before it is first sent (a resend is the same request)."""
        self._request_hooks.append(hook)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def call(
        self, method: str, path: str, answer: Callable[[dict[str, Any]], T], *,
        json_body: Mapping[str, Any] | None = None, idempotency_key: str | None = None, retries: int = 0,
        purpose: str = "other", path_fields: tuple[str, ...] = (), background: bool = False,
    ) -> T:
        """Send one request and read its answer with ``answer`` (a wire shape's from_json); typed errors only.

        A state-changing call passes an idempotency key and ``retries``: it is resent with the same key
        (safe: the server answers a key once) when the connection fails."""
        outgoing = Outgoing(method, path, purpose, path_fields + tuple(json_body or ()), background)
        for hook in self._request_hooks:
            hook(outgoing)
        body = self._send(method, path, json_body, idempotency_key, retries)
        try:
            return answer(body)
        except _SHAPE_ERRORS as error:
            raise ServerError(200, f"unexpected answer from the server ({type(error).__name__}: {error})") from error

    def _send(self, method: str, path: str, json_body: Mapping[str, Any] | None, idempotency_key: str | None,
              retries: int) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if idempotency_key is not None:
            headers[signing.HEADER_IDEMPOTENCY_KEY] = idempotency_key
        attempt = 0
        while True:
            try:
                response = self._session.request(
                    method, self.base_url + path, json=json_body, headers=headers, timeout=self.timeout,
                    # Per request: requests lets REQUESTS_CA_BUNDLE override a Session's own verify.
                    verify=self._session.verify,
                )
                break
            except (requests.ConnectionError, requests.Timeout) as error:
                # Safe to resend only with the same idempotency key: the server answers it once.
                if attempt < retries and idempotency_key is not None:
                    attempt += 1
                    continue
                raise ServerUnreachableError(str(error)) from error
        return _body_or_error(response)


def _body_or_error(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or the typed error it stands for."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500 and not (isinstance(body, dict) and "error" in body):
        raise ServerError(response.status_code, response.text)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        raise _api_error(response, body["error"])
    if not response.ok or not isinstance(body, dict):
        raise ServerError(response.status_code, response.text)
    return body


# Codes with a class of their own, so a flow's effects can tell them apart without reading codes.
_TYPED: dict[str, type[ApiError]] = {
    "registration_contact_required": RegistrationContactError,
    "invalid_phone": RegistrationContactError,
    "invalid_email": RegistrationContactError,
    "registration_already_patron": RegistrationRefusedError,
    "registration_pending": RegistrationRefusedError,
}


def _api_error(response: requests.Response, err: dict[str, Any]) -> ServerError | ApiError:
    """The typed error for the API's error JSON ({"error": {"code", "message_ja", "message_en", "details"}})."""
    code = err.get("code")
    if response.status_code >= 500 and code == "internal_error":
        return ServerError(response.status_code, response.text)
    details = err.get("details") if isinstance(err.get("details"), dict) else None
    if code == "stale_request":
        return StaleRequestError(err["code"], err.get("message_ja", ""), err.get("message_en", ""),
                                 response.status_code)
    if code == "ils_unreachable":
        return IlsUnreachableError(err["code"], err.get("message_ja", ""), err.get("message_en", ""),
                                   response.status_code, details=details)
    if code == "kiosk_version_unsupported":
        return KioskVersionUnsupportedError(err["code"], err.get("message_ja", ""), err.get("message_en", ""),
                                            response.status_code, details=details)
    typed = _TYPED.get(code) if isinstance(code, str) else None
    if typed is not None and isinstance(code, str):
        return typed(code, err.get("message_ja", ""), err.get("message_en", ""), response.status_code,
                     details=details)
    return ApiError(err.get("code", "unknown"), err.get("message_ja", ""), err.get("message_en", ""),
                    response.status_code, details=details)

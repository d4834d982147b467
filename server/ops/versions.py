"""The kiosk version gate: kiosk requests older than `min_kiosk_version` get kiosk_version_unsupported.

A kiosk sends its version (pyproject's) in X-Kiosk-Version on every request. A request is a kiosk's
when it is signed (X-Kiosk-Id) or is an enrollment, under /v1/; a kiosk without the header predates it, so it is
older than any minimum. Pages, staff and /health are never gated, nor is the heartbeat: an old kiosk
keeps reporting, so the fleet page shows which kiosks still run which version.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import ERRORS, error_body

HEADER = "X-Kiosk-Version"
_KIOSK_PATHS = ("/v1/kiosk/enroll",)
_NEVER_GATED = ("/v1/kiosk/heartbeat",)


def version_key(text: str) -> tuple[int, ...]:
    """(0, 2, 1) for "0.2.1", "0.2.1rc1" or "v0.2.1+local": the leading numbers are what counts."""
    match = re.match(r"^v?(\d+(?:\.\d+)*)", text.strip())
    if match is None:
        return ()
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()  # 0.2 == 0.2.0
    return tuple(parts)


def is_supported(version: str | None, minimum: str) -> bool:
    """True when there is no minimum, or `version` is at least `minimum`."""
    if not minimum.strip():
        return True
    if not version:
        return False
    key = version_key(version)
    return bool(key) and key >= version_key(minimum)


class KioskVersionGate:
    """Answers 426 kiosk_version_unsupported (with the minimum) before any kiosk route runs."""

    def __init__(self, app: ASGIApp, *, minimum: str) -> None:
        self.app = app
        self.minimum = minimum

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http" or not self.minimum.strip():
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path = scope.get("path", "")
        is_kiosk = (path.startswith("/v1/") and path not in _NEVER_GATED
                    and (b"x-kiosk-id" in headers or path in _KIOSK_PATHS))
        raw = headers.get(HEADER.lower().encode())
        version = raw.decode("latin-1")[:64] if raw is not None else None
        if not is_kiosk or is_supported(version, self.minimum):
            await self.app(scope, receive, send)
            return
        details = {"minimum_version": self.minimum, "kiosk_version": version}
        payload = json.dumps(error_body("kiosk_version_unsupported", details=details), ensure_ascii=False).encode()
        status = ERRORS["kiosk_version_unsupported"].status
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

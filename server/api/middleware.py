"""Request guard: a body size limit, JSON-only bodies, no NUL characters and no lone surrogates; answered
before any route runs."""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import error_body

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# NUL characters are never meaningful here and PostgreSQL refuses them in text, so they are
# turned away at the door for every route: raw, JSON-escaped, or percent-encoded in the URL.
_NUL_IN_BODY = (b"\x00", b"\\u0000")
_NUL_IN_URL = (b"%00", b"\x00")
# A JSON escape of a UTF-16 surrogate (\ud800-\udfff). In a pair it is one character (an emoji); alone,
# Python keeps it in the string, and it fails at the database or when the answer is encoded.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def _has_lone_surrogate(body: bytes) -> bool:
    """True when the JSON body decodes to a string that is not valid Unicode (a lone surrogate)."""
    if not _SURROGATE_ESCAPE.search(body):  # the usual case: one scan, no second parse
        return False
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON (or nested too deep to read): the route's own validation answers
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


async def _send_error(send: Send, code: str, status: int) -> None:
    payload = json.dumps(error_body(code), ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodyGuard:
    """Reads the whole body first (bounded), so oversized or non-JSON bodies never reach a route."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if any(marker in url for marker in _NUL_IN_URL):
            await _send_error(send, "invalid_request", 422)
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _send_error(send, "body_too_large", 413)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, "body_too_large", 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if body and media_type != b"application/json":
            await _send_error(send, "unsupported_media_type", 415)
            return
        if any(marker in body for marker in _NUL_IN_BODY) or _has_lone_surrogate(body):
            await _send_error(send, "invalid_request", 422)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

"""Every failure becomes {"error": {"code", "message_ja", "message_en"}} with a stable code."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.db import DatabaseBusyError
from server.errors import ERRORS, ApiError, error_body

log = logging.getLogger("server")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type"}


def error_response(code: str) -> JSONResponse:
    """The JSON answer for one error code."""
    return JSONResponse(error_body(code), status_code=ERRORS[code].status)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.code)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # A malformed card number gets its own code wherever it appears (path or body).
    if any("card_number" in map(str, err.get("loc", ())) for err in exc.errors()):
        return error_response("malformed_card_number")
    return error_response("invalid_request")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code)
    if code is None:
        code = "invalid_request" if exc.status_code < 500 else "internal_error"
    return JSONResponse(error_body(code), status_code=exc.status_code)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response("internal_error")


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    # A lock held past the busy timeout (SQLite) or a dropped connection (PostgreSQL): the transaction was
    # rolled back, so a retry with the same Idempotency-Key is safe; 503 tells clients to retry.
    log.warning("database unavailable: %s", str(exc).splitlines()[0][:200])
    return error_response("database_unavailable")


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(DatabaseBusyError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)

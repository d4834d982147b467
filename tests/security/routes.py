"""The server's routes as `python -m server` builds them, each with the dependencies it calls."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from fastapi.routing import APIRoute

from server.app import create_app
from server.config import load_settings


def _dependency_calls(dependant: Any) -> set[Callable[..., Any]]:
    calls = {dependant.call}
    for sub in dependant.dependencies:
        calls |= _dependency_calls(sub)
    return calls


def app_routes() -> dict[tuple[str, str], set[Callable[..., Any]]]:
    """Every (method, path) of the app, with every dependency call it resolves (no database needed)."""
    app = create_app(load_settings(database_url="sqlite://"), state=SimpleNamespace())  # type: ignore[arg-type]
    found: dict[tuple[str, str], set[Callable[..., Any]]] = {}
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            found.update({(method, route.path): _dependency_calls(route.dependant) for method in route.methods})
        elif hasattr(route, "original_router"):  # FastAPI 0.16x wraps each included router (no prefix here)
            pending += route.original_router.routes
    return found


def documented_api_routes() -> set[tuple[str, str]]:
    """The (method, path) pairs of the OpenAPI document: what schemathesis can fuzz."""
    app = create_app(load_settings(database_url="sqlite://"), state=SimpleNamespace())  # type: ignore[arg-type]
    return {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}

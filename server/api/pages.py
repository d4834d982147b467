"""The web pages served by the server (plain HTML, CSS and JS in server/web, no build step).

/counter     counter console for staff (log in with staff id + PIN)
/lobby       lobby display (large, Japanese and English, live)
/t/{token}   a ticket's status page (the QR code on the printed ticket)
/docs        the API document: /openapi.json drawn by a local script (no Swagger UI, nothing from a CDN)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from server.errors import ApiError

router = APIRouter(include_in_schema=False)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
# Only these files are served: no directory walking from a URL.
ASSETS = {p.name for p in WEB_DIR.glob("*") if p.suffix in {".css", ".js", ".svg"}}
_NO_CACHE = {"Cache-Control": "no-cache"}


def _page(name: str) -> FileResponse:
    return FileResponse(WEB_DIR / name, media_type="text/html; charset=utf-8", headers=_NO_CACHE)


@router.get("/counter")
def counter_console() -> FileResponse:
    """Counter console."""
    return _page("counter.html")


@router.get("/lobby")
def lobby_display() -> FileResponse:
    """Lobby display."""
    return _page("lobby.html")


@router.get("/t/{token}")
def ticket_page(token: str) -> FileResponse:
    """A ticket's status page; the script reads the token from the URL."""
    return _page("status.html")


@router.get("/docs")
def api_document() -> FileResponse:
    """The API document page (it reads /openapi.json)."""
    return _page("docs.html")


@router.get("/web/{name}")
def asset(name: str) -> FileResponse:
    """A stylesheet or script of the pages."""
    if name not in ASSETS:
        raise ApiError("not_found")
    return FileResponse(WEB_DIR / name, headers=_NO_CACHE)

"""FastAPI app factory: one app per process, built from Settings."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp

from server.api import handlers, pages
from server.api.middleware import BodyGuard
from server.api.security_headers import SecurityHeaders
from server.applications.router import router as applications_router
from server.bootstrap import build_state
from server.cards import router as cards
from server.checkup import router as checkup
from server.clock import Clock
from server.config import Settings, load_settings
from server.fleet import enroll_router
from server.fleet import router as fleet
from server.migration import router as migrations
from server.ops import health
from server.ops.versions import KioskVersionGate
from server.patrons import router as patrons
from server.renewals import router as renewals
from server.staff import router as staff
from server.state import AppState
from server.stats import router as stats
from server.tickets import callout_router, counter_router, lobby_router
from server.tickets import router as tickets

API_DESCRIPTION = """Central registration API of the Saga Prefectural Library lobby kiosks.

Kiosk endpoints need an HMAC signature (headers X-Kiosk-Id, X-Timestamp, X-Nonce, X-Signature;
see protocol/signing.py) and, when they change state, an Idempotency-Key header. Staff endpoints
need a bearer token from POST /v1/staff/sessions. Every error is
{"error": {"code", "message_ja", "message_en"}}.
"""


class SagaApp(FastAPI):
    """FastAPI with the security headers outside everything, Starlette's own error middleware included, so
    that every answer carries them: a 500 and the body guard's refusals too."""

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, wrapped."""
        return SecurityHeaders(super().build_middleware_stack())


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, state: AppState | None = None
) -> FastAPI:
    """Build the app; the database must already be migrated (python -m server migrate / serve)."""
    settings = settings or load_settings()
    # /docs is served from server/web with a local Swagger UI (pages.py); no ReDoc (it loads from a CDN).
    app = SagaApp(title="Saga Library kiosk registration API", version="1.0.0", description=API_DESCRIPTION,
                  docs_url=None, redoc_url=None)
    app.state.server = state or build_state(settings, clock=clock)
    handlers.install(app)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    for router in (
        health.router, cards.router, checkup.router, migrations.router, renewals.router, staff.router,
        patrons.router, migrations.staff_router, tickets.router, counter_router.router, lobby_router.router,
        pages.router, stats.router, callout_router.router, fleet.router, applications_router, enroll_router.router,
    ):
        app.include_router(router)
    app.add_middleware(KioskVersionGate, minimum=settings.min_kiosk_version)
    return app

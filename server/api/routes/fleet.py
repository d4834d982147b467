"""Fleet: kiosks fetch staff credentials, send heartbeats and staff actions; staff see every kiosk.

Kiosk (HMAC):  GET  /v1/kiosk/staff-credentials   POST /v1/kiosk/heartbeat   POST /v1/kiosk/audit
Staff (bearer): GET /v1/fleet/kiosks
Page:           GET /fleet (plain HTML + JS in server/web/fleet.*, staff log in with their PIN)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

from server import audit
from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, StaffDep, StateDep
from server.api.idempotent import run_idempotent
from server.domain.idempotency import request_fingerprint
from server.errors import ApiError
from server.fleet import service
from server.fleet.schemas import (
    FleetPublic,
    HeartbeatAccepted,
    HeartbeatCreate,
    StaffActionCreate,
    StaffActionRecorded,
    StaffCredentialPublic,
    StaffCredentialsPublic,
)
from server.schemas import ERROR_RESPONSES

router = APIRouter(tags=["fleet"], responses=ERROR_RESPONSES)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
FLEET_ASSETS = {"fleet.css", "fleet.js"}
_NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/v1/kiosk/staff-credentials", response_model=StaffCredentialsPublic)
def staff_credentials(kiosk: KioskDep, session: SessionDep, state: StateDep) -> StaffCredentialsPublic:
    """Active staff accounts with their salted argon2id PIN hashes and roles, for the kiosk's offline cache."""
    members = service.active_staff_credentials(session=session)
    audit.record(session=session, at=state.clock.now(), actor_type="kiosk", actor_id=kiosk.kiosk_id,
                 action="staff_credentials.fetch", outcome="ok", detail={"accounts": len(members)})
    session.commit()
    return StaffCredentialsPublic(
        staff=[StaffCredentialPublic(staff_id=m.staff_id, role=m.role, pin_hash=m.pin_hash) for m in members]
    )


@router.post("/v1/kiosk/heartbeat", response_model=HeartbeatAccepted)
def heartbeat(body: HeartbeatCreate, kiosk: KioskDep, session: SessionDep, state: StateDep) -> HeartbeatAccepted:
    """The kiosk's state now. No Idempotency-Key: a resent heartbeat only states the same thing again."""
    now = state.clock.now()
    service.record_heartbeat(session=session, kiosk_id=kiosk.kiosk_id, beat=body, now=now)
    session.commit()
    window = service.stale_after(interval_s=body.interval_s, stale_intervals=state.settings.fleet_stale_intervals)
    return HeartbeatAccepted(received_at=now, stale_after_s=int(window.total_seconds()))


@router.post("/v1/kiosk/audit", response_model=StaffActionRecorded, status_code=201)
def staff_action(body: StaffActionCreate, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """A staff action at the kiosk (sign-in, lockout, test print, reprint, service switch, restart)."""

    def action(session):  # type: ignore[no-untyped-def]
        entry = service.record_staff_action(session=session, kiosk_id=kiosk.kiosk_id, action=body,
                                            now=state.clock.now())
        return 201, StaffActionRecorded(id=entry.id).model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action=f"maintenance.{body.action}",
        fingerprint=request_fingerprint(method="POST", path="/v1/kiosk/audit", body=body.model_dump_json().encode()),
    )


@router.get("/v1/fleet/kiosks", response_model=FleetPublic)
def fleet(staff: StaffDep, session: SessionDep, state: StateDep) -> FleetPublic:
    """Every kiosk with its state (up, stale, out of service, printer problem, never seen, revoked)."""
    now = state.clock.now()
    kiosks = service.fleet_overview(session=session, now=now, stale_intervals=state.settings.fleet_stale_intervals)
    return FleetPublic(now=now, kiosks=kiosks)


@router.get("/fleet", include_in_schema=False)
def fleet_page() -> FileResponse:
    """The fleet page."""
    return FileResponse(WEB_DIR / "fleet.html", media_type="text/html; charset=utf-8", headers=_NO_CACHE)


@router.get("/fleet/{name}", include_in_schema=False)
def fleet_asset(name: str) -> FileResponse:
    """The fleet page's stylesheet and script (only these two files)."""
    if name not in FLEET_ASSETS:
        raise ApiError("not_found")
    return FileResponse(WEB_DIR / name, headers=_NO_CACHE)

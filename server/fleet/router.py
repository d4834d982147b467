"""Fleet: kiosks fetch their maintenance credentials, send heartbeats and staff actions; staff see every kiosk.

Kiosk (HMAC):  GET  /v1/kiosk/maintenance-credentials   POST /v1/kiosk/heartbeat   POST /v1/kiosk/audit
               GET  /v1/kiosk/staff-credentials (kiosks before 2026-12: the same answer, no staff PIN hash)
Staff (bearer): GET /v1/fleet/kiosks
Page:           GET /fleet (plain HTML + JS in server/web/fleet.*, staff log in with their PIN)
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session

from server import audit
from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, StaffDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.pages import WEB_DIR
from server.api.schemas import ERROR_RESPONSES
from server.errors import ApiError
from server.fleet import maintenance, service
from server.fleet.schemas import (
    FleetPublic,
    HeartbeatAccepted,
    HeartbeatCreate,
    MaintenanceCredentialPublic,
    MaintenanceCredentialsPublic,
    StaffActionCreate,
    StaffActionRecorded,
)
from server.ils.schemas import PatronSourcePublic
from server.state import AppState

router = APIRouter(tags=["fleet"], responses=ERROR_RESPONSES)

FLEET_ASSETS = {"fleet.css", "fleet.js"}
_NO_CACHE = {"Cache-Control": "no-cache"}


def _maintenance_credentials(kiosk_id: str, session: Session, state: AppState, *,
                             legacy: bool) -> MaintenanceCredentialsPublic:
    rows = maintenance.credentials_for(session=session, kiosk_id=kiosk_id)
    audit.record(session=session, at=state.clock.now(), actor_type="kiosk", actor_id=kiosk_id,
                 action="maintenance_credentials.fetch", outcome="ok",
                 detail={"accounts": len(rows), "legacy_path": legacy})
    session.commit()
    return MaintenanceCredentialsPublic(kiosk_id=kiosk_id, staff=[
        MaintenanceCredentialPublic(staff_id=r.staff_id, role=r.role, pin_hash=r.pin_hash) for r in rows])


@router.get("/v1/kiosk/maintenance-credentials", response_model=MaintenanceCredentialsPublic)
def maintenance_credentials(kiosk: KioskDep, session: SessionDep, state: StateDep) -> MaintenanceCredentialsPublic:
    """This kiosk's maintenance PINs (argon2id hashes) with each staff member's role, for its offline sign-in.

    Only the calling kiosk's own, never a staff PIN's hash: what a stolen kiosk holds opens that kiosk only.
    """
    return _maintenance_credentials(kiosk.kiosk_id, session, state, legacy=False)


@router.get("/v1/kiosk/staff-credentials", response_model=MaintenanceCredentialsPublic, deprecated=True)
def staff_credentials(kiosk: KioskDep, session: SessionDep, state: StateDep) -> MaintenanceCredentialsPublic:
    """Kiosks of before 2026-12 ask here: they get the same answer (their refresh then overwrites the staff
    PIN hashes they cached with their own maintenance PINs, and staff sign in there with those)."""
    return _maintenance_credentials(kiosk.kiosk_id, session, state, legacy=True)


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

    def action(session: Session) -> tuple[int, dict]:
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
    return FleetPublic(now=now, kiosks=kiosks, patron_source=PatronSourcePublic.of(state.patrons.status()))


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

"""Staff endpoints: log in and out, sign-in lockouts, read the audit log. A patron's record and held
migrations have their staff routes in their own packages (server/patrons/router.py, server/migration/router.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as FastPath

from server import audit
from server.api.deps import AdminDep, BearerTokenDep, SessionDep, StaffDep, StateDep
from server.api.schemas import ERROR_RESPONSES, ErrorPublic
from server.auth.staff import end_session, log_in
from server.auth.staff_lockout import LockoutPolicy, active_lockouts, check_not_locked, clear_lockout, record_failure
from server.errors import ApiError
from server.staff.schemas import (
    AuditEntryPublic,
    StaffLockoutPublic,
    StaffLockoutsPublic,
    StaffLoginCreate,
    StaffSessionPublic,
)

router = APIRouter(prefix="/v1/staff", tags=["staff"], responses=ERROR_RESPONSES)


def client_address(request: Request) -> str:
    """The client's address; behind nginx, its X-Forwarded-For, which uvicorn trusts only from FORWARDED_ALLOW_IPS."""
    return request.client.host if request.client else "unknown"


@router.post("/sessions", response_model=StaffSessionPublic, status_code=201,
             responses={429: {"model": ErrorPublic}})


def staff_login(body: StaffLoginCreate, request: Request, session: SessionDep, state: StateDep) -> StaffSessionPublic:
    """Log in with staff id and PIN; the token goes in `Authorization: Bearer ...`. Too many wrong PINs for a
    staff id or from an address lock it out for a while (error staff_locked)."""
    now = state.clock.now()
    minutes = state.settings.staff_session_minutes
    client = client_address(request)
    try:
        # Refused before any PIN is checked: a locked id learns nothing, known or not.
        check_not_locked(session=session, staff_id=body.staff_id, client=client, now=now)
        token, member = log_in(session=session, staff_id=body.staff_id, pin=body.pin, now=now, minutes=minutes)
    except ApiError as error:
        session.rollback()
        code = error.code
        if code == "bad_credentials":
            policy = LockoutPolicy.from_settings(state.settings)
            if record_failure(session=session, staff_id=body.staff_id, client=client, now=now, policy=policy):
                code = "staff_locked"
        audit.record(session=session, at=now, actor_type="staff", actor_id=body.staff_id, action="staff.login",
                     outcome=code, detail={"client": client})
        session.commit()
        raise ApiError(code) from None
    audit.record(session=session, at=now, actor_type="staff", actor_id=member.staff_id, action="staff.login",
                 outcome="ok", detail={"client": client})
    session.commit()
    return StaffSessionPublic(
        token=token,
        staff_id=member.staff_id,
        name=member.name,
        role=member.role,
        expires_at=now + timedelta(minutes=minutes),
    )


@router.delete("/sessions", status_code=204)
def staff_logout(staff: StaffDep, token: BearerTokenDep, session: SessionDep, state: StateDep) -> Response:
    """Log out: this token's session ends on the server (every process refuses it from now on)."""
    end_session(session=session, token=token)
    audit.record(session=session, at=state.clock.now(), actor_type="staff", actor_id=staff.staff_id,
                 action="staff.logout", outcome="ok")
    session.commit()
    return Response(status_code=204)


@router.get("/lockouts", response_model=StaffLockoutsPublic)
def list_lockouts(staff: StaffDep, session: SessionDep, state: StateDep) -> StaffLockoutsPublic:
    """Sign-in lockouts in force (staff ids and client addresses), for the fleet page; `can_clear` for admins."""
    now = state.clock.now()
    return StaffLockoutsPublic(
        now=now, can_clear=staff.role == "admin",
        lockouts=[StaffLockoutPublic.model_validate(row) for row in active_lockouts(session=session, now=now)],
    )


@router.delete("/lockouts/{lockout_id}", status_code=204)
def clear_staff_lockout(
    lockout_id: Annotated[int, FastPath(ge=1, le=2**31 - 1)], admin: AdminDep, session: SessionDep, state: StateDep
) -> Response:
    """End a sign-in lockout now (administrators only); audited."""
    clear_lockout(session=session, lockout_id=lockout_id, by=admin.staff_id, actor_type="staff",
                  now=state.clock.now())
    session.commit()
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditEntryPublic])
def read_audit(
    admin: AdminDep,
    session: SessionDep,
    card_number: Annotated[str | None, Query(pattern=r"^[0-9]{10}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryPublic]:
    """The latest audit rows, newest last, optionally for one card (administrators only)."""
    rows = audit.entries(session=session, card_number=card_number)[-limit:]
    return [AuditEntryPublic.model_validate(row) for row in rows]

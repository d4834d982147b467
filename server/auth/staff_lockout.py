"""Staff sign-in lockouts: after too many wrong PINs, a staff id or a client address is refused for a while.

Every refused sign-in is a row (attempted staff id, client address, time); when the rows within the window
reach a limit, a lockout row refuses that staff id (whatever the address) or that address (whatever the
staff id) until it ends or an administrator clears it. All of it lives in the database, so the limits hold
across every server process. An unknown staff id is counted and locked exactly like a real one: the answers
must not tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from server import audit
from server.auth.models import StaffLockout, StaffLoginFailure
from server.config import Settings
from server.errors import ApiError

KINDS = ("account", "client")


@dataclass(frozen=True)
class LockoutPolicy:
    """Wrong PINs allowed within `window` per staff id and per client address, and how long a lockout lasts."""

    per_account: int
    per_client: int
    window: timedelta
    lock_for: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        """The policy of config/server.toml (staff_login_*)."""
        return cls(per_account=settings.staff_login_max_failures_per_account,
                   per_client=settings.staff_login_max_failures_per_client,
                   window=timedelta(minutes=settings.staff_login_window_minutes),
                   lock_for=timedelta(minutes=settings.staff_lockout_minutes))


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _active(now: datetime) -> ColumnElement[bool]:
    return (StaffLockout.until > now) & StaffLockout.cleared_at.is_(None)


def active_lockouts(*, session: Session, now: datetime) -> list[StaffLockout]:
    """Lockouts in force now, oldest first."""
    return list(session.scalars(select(StaffLockout).where(_active(now)).order_by(StaffLockout.id)))


def check_not_locked(*, session: Session, staff_id: str, client: str, now: datetime) -> None:
    """ApiError("staff_locked") if this staff id or this client address is locked out now."""
    locked = select(StaffLockout.id).where(
        _active(now),
        or_((StaffLockout.kind == "account") & (StaffLockout.subject == staff_id),
            (StaffLockout.kind == "client") & (StaffLockout.subject == client)),
    ).limit(1)
    if session.scalar(locked) is not None:
        raise ApiError("staff_locked")


def _counted_since(*, session: Session, kind: str, subject: str, now: datetime, window: timedelta) -> datetime:
    """Failures count within the window, and only after the subject's last lockout began or was cleared:
    a cleared or ended lockout starts the count again."""
    last = session.execute(
        select(func.max(StaffLockout.locked_at), func.max(StaffLockout.cleared_at))
        .where(StaffLockout.kind == kind, StaffLockout.subject == subject)
    ).one()
    marks = [now - window] + [_aware(mark) for mark in last if mark is not None]
    return max(marks)


def record_failure(*, session: Session, staff_id: str, client: str, now: datetime,
                   policy: LockoutPolicy) -> list[StaffLockout]:
    """Count a refused sign-in; lock the staff id and/or the client address when it reaches a limit, with an
    audit row for each lockout. Returns the lockouts set off now (in the caller's transaction)."""
    staff_id, client = staff_id[:64], client[:64]
    session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.at < now - policy.window))
    session.add(StaffLoginFailure(at=now, staff_id=staff_id, client=client))
    session.flush()
    started: list[StaffLockout] = []
    for kind, subject, column, limit in (("account", staff_id, StaffLoginFailure.staff_id, policy.per_account),
                                         ("client", client, StaffLoginFailure.client, policy.per_client)):
        since = _counted_since(session=session, kind=kind, subject=subject, now=now, window=policy.window)
        failures = session.scalar(select(func.count()).select_from(StaffLoginFailure)
                                  .where(column == subject, StaffLoginFailure.at > since)) or 0
        if failures < limit:
            continue
        lockout = StaffLockout(kind=kind, subject=subject, failures=failures, locked_at=now,
                               until=now + policy.lock_for)
        session.add(lockout)
        session.flush()
        audit.record(session=session, at=now, actor_type="system", actor_id="staff-sign-in",
                     action="staff.lockout", outcome=kind,
                     detail={"lockout_id": lockout.id, "kind": kind, "subject": subject, "client": client,
                             "failures": failures, "until": lockout.until.isoformat()})
        started.append(lockout)
    # Lockouts that ended longer ago than the window no longer matter to any count: the audit log keeps them.
    session.execute(delete(StaffLockout).where(StaffLockout.until < now - policy.window - policy.lock_for))
    return started


def clear_lockout(*, session: Session, lockout_id: int, by: str, actor_type: str, now: datetime) -> StaffLockout:
    """End a lockout now (an administrator, on the fleet page or the admin CLI); audited. Unknown or no
    longer in force: ApiError("not_found")."""
    lockout = session.get(StaffLockout, lockout_id)
    if lockout is None or lockout.cleared_at is not None or _aware(lockout.until) <= now:
        raise ApiError("not_found")
    lockout.cleared_at = now
    lockout.cleared_by = by[:64]
    audit.record(session=session, at=now, actor_type=actor_type, actor_id=by[:64], action="staff.lockout_clear",
                 outcome="ok", detail={"lockout_id": lockout.id, "kind": lockout.kind, "subject": lockout.subject})
    session.flush()
    return lockout

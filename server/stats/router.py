"""Statistics without personal data: kiosks report outcomes, staff read counts, charts and CSV.

Kiosk (HMAC + Idempotency-Key): POST /v1/kiosk/outcomes
Staff (bearer):                 GET  /v1/stats?start=&end=     GET /v1/stats.csv?start=&end=
Page:                           GET  /stats (server/web/stats.*; staff log in with their PIN)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, StaffDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.pages import WEB_DIR
from server.api.schemas import ERROR_RESPONSES
from server.errors import ApiError
from server.state import AppState
from server.stats import report, service
from server.stats.export import report_csv
from server.stats.schemas import OutcomeCreate, OutcomeRecorded, StatsPublic
from server.tickets.catalog import Catalog

router = APIRouter(tags=["statistics"], responses=ERROR_RESPONSES)
DEFAULT_DAYS = 30


@router.post("/v1/kiosk/outcomes", response_model=OutcomeRecorded, status_code=201)
def record_outcome(body: OutcomeCreate, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """One patron session's outcome (service, outcome, reason code, library day and hour); counted once per key."""

    def action(session: Session) -> tuple[int, dict]:
        service.record_outcome(session=session, kiosk_id=kiosk.kiosk_id, event=body, now=state.clock.now(),
                               keep_days=state.settings.retention_statistics_days)
        return 201, OutcomeRecorded().model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action="stats.outcome",
        fingerprint=request_fingerprint(method="POST", path="/v1/kiosk/outcomes", body=body.model_dump_json().encode()),
    )


def _report(*, state: AppState, session: Session, start: date | None, end: date | None) -> StatsPublic:
    if any(day is not None and not report.EARLIEST_DAY <= day <= report.LATEST_DAY for day in (start, end)):
        raise ApiError("invalid_request")
    end = end or state.clock.today()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end or (end - start).days >= report.MAX_DAYS:
        raise ApiError("invalid_request")
    return report.build_report(session=session, catalog=Catalog.from_settings(state.settings), start=start, end=end,
                               min_cell=state.settings.stats_min_cell, now=state.clock.now())


DayQuery = Annotated[date | None, Query(description="Library day (YYYY-MM-DD), inclusive, 2000-01-01 to 2999-12-31")]


@router.get("/v1/stats", response_model=StatsPublic)
def stats(staff: StaffDep, session: SessionDep, state: StateDep, start: DayQuery = None,
          end: DayQuery = None) -> StatsPublic:
    """Counts per service, outcome, reason, kiosk, hour of day and day, and ticket waits (default: the last
    30 days). Counts below settings.stats_min_cell are null."""
    return _report(state=state, session=session, start=start, end=end)


@router.get("/v1/stats.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The report as CSV"}})
def stats_csv(staff: StaffDep, session: SessionDep, state: StateDep, start: DayQuery = None,
              end: DayQuery = None) -> Response:
    """The same report as CSV (one row per figure; suppressed counts read "<N")."""
    data = _report(state=state, session=session, start=start, end=end)
    name = f"saga-kiosk-stats-{data.start.isoformat()}-{data.end.isoformat()}.csv"
    return Response(report_csv(data), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/stats", include_in_schema=False)
def stats_page() -> FileResponse:
    """The statistics page (its stylesheet and script are served by /web/{name})."""
    return FileResponse(WEB_DIR / "stats.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})

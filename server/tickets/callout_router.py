"""The spoken call the lobby display plays (no authentication, no personal data): a WAV per call.

The lobby board names each number being called with the path of its audio (server/tickets/callout.py);
that path's key is a hash of the words. Only a call the board shows today (being called, or among the
recent calls) is synthesised, so a client cannot make the server speak, or work, for any other words.
A key rendered before is served from this process's cache without reading the database.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from server.api.deps import StateDep
from server.api.schemas import ERROR_RESPONSES
from server.errors import ApiError
from server.state import AppState
from server.tickets import queries
from server.tickets.callout import Announcement, announce_entry
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours
from server.tickets.reads import read_sessions
from server.tickets.voice import CallVoice

router = APIRouter(tags=["lobby"], responses=ERROR_RESPONSES)
KeyPath = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
# The words never change for a key, and the key changes with the voice (callout.VOICE_VERSION).
_CACHE = {"Cache-Control": "public, max-age=86400, immutable"}


def voice_for(request: Request) -> CallVoice:
    """This process's call voice and its cache, made on first use."""
    voice = getattr(request.app.state, "call_voice", None)
    if voice is None:
        voice = request.app.state.call_voice = CallVoice()
    return voice


def _shown_call(state: AppState, key: str) -> Announcement | None:
    """The announcement of a call the lobby board shows now whose key is `key`, else None."""
    with read_sessions(state)() as session:
        board = queries.lobby_board(session=session, catalog=Catalog.from_settings(state.settings),
                                    hours=OpeningHours.from_settings(state.settings),
                                    now=state.clock.now(), today=state.clock.today())
    for entry in board["calling"] + board["recent"]:
        announcement = announce_entry(entry, place_ja=state.settings.callout_place_ja,
                                      place_en=state.settings.callout_place_en)
        if announcement.key == key:
            return announcement
    return None


@router.get("/v1/lobby/calls/{key}/audio", include_in_schema=False)
async def call_audio(key: KeyPath, request: Request, state: StateDep) -> Response:
    """The call as a WAV: a chime, then the number and counter in Japanese, then in English."""
    voice = voice_for(request)
    wav = voice.cached(key)
    if wav is None:
        announcement = await run_in_threadpool(_shown_call, state, key)
        if announcement is None:
            raise ApiError("not_found")
        wav = await voice.audio(announcement)
    return Response(wav, media_type="audio/wav", headers=_CACHE)

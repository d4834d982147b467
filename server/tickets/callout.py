"""What the lobby display says when a number is called: the announcement's words, Japanese then English.

An announcement is built from the ticket's number, the counter window's configured names and the place
(settings.callout_place_ja / _en) and nothing else: no reference, reason, kiosk or token can reach it,
since its one constructor takes none. Its key, a hash of the words, names the call's audio
(GET /v1/lobby/calls/{key}/audio, callout_router.py) and the synthesis cache (voice.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Bumped when the voice or the layout of the audio changes, so a browser's cached copy is not reused.
VOICE_VERSION = "2"  # 2: the kiosk's reading hints (protocol/readings.py) and pauses
_NUMBER = re.compile(r"^([A-Za-z]+)-0*(\d+)$")


@dataclass(frozen=True)
class Announcement:
    """The words of one call, in the order they are spoken."""

    ja: str
    en: str

    @property
    def key(self) -> str:
        """A stable, opaque name for these words (24 hex digits)."""
        digest = hashlib.sha256(f"{VOICE_VERSION}\n{self.ja}\n{self.en}".encode()).hexdigest()
        return digest[:24]

    @property
    def audio_path(self) -> str:
        """Where the lobby page fetches the spoken call."""
        return f"/v1/lobby/calls/{self.key}/audio"


def spoken_number(number: str) -> tuple[str, str]:
    """("M", "7") for "M-007": the letter, then the number without its leading zeros, as a caller says it."""
    match = _NUMBER.match(number)
    return (match.group(1), match.group(2)) if match else ("", number)


def announce(*, number: str, counter_ja: str, counter_en: str, place_ja: str, place_en: str) -> Announcement:
    """The words for calling `number` to a counter window, e.g.
    受付番号、M の 7 番の方、2階総合カウンター、3番窓口へお越しください。
    The commas are the announcer's pauses: Open JTalk ignores spaces, so without them the number ran into
    受付番号 and the place into the window."""
    letter, digits = spoken_number(number)
    ticket_ja = f"受付番号、{letter} の {digits} 番の方" if letter else f"受付番号、{digits} 番の方"
    ticket_en = f"Ticket number {letter} {digits}" if letter else f"Ticket number {digits}"
    where_ja = "、".join(part for part in (place_ja.strip(), counter_ja.strip()) if part)
    where_en = f"{counter_en} at {place_en}" if place_en else counter_en
    return Announcement(ja=f"{ticket_ja}、{where_ja}へお越しください。",
                        en=f"{ticket_en}, please come to {where_en}.")


def announce_entry(entry: dict, *, place_ja: str, place_en: str) -> Announcement:
    """The announcement of one call of the lobby board (server/tickets/queries.py `_call_entry`)."""
    return announce(number=entry["number"], counter_ja=entry["counter_ja"], counter_en=entry["counter_en"],
                    place_ja=place_ja, place_en=place_en)


def with_call_audio(board: dict, *, place_ja: str, place_en: str) -> dict:
    """The lobby board with each number being called carrying the path of its spoken call ("audio")."""
    for entry in board["calling"]:
        entry["audio"] = announce_entry(entry, place_ja=place_ja, place_en=place_en).audio_path
    return board

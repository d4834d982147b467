"""The lobby display's spoken call (server/tickets/callout.py, voice.py): its words carry the number and the
counter window only, and its audio is a chime, then the Japanese words (Open JTalk), then the English words
(espeak-ng, run here too to compare), as one non-silent WAV; synthesis runs off the event loop, once."""

from __future__ import annotations

import asyncio
import io
import subprocess
import uuid
import wave
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyopenjtalk
import pytest
import requests

from protocol import readings
from server.config import Settings
from server.tickets import queries, voice
from server.tickets.callout import announce, announce_entry, with_call_audio
from server.tickets.catalog import Catalog
from server.tickets.models import CALLED, Ticket
from tests.support.server_proc import ServerProcess
from tests.support.tickets import issue, kiosk_session, staff_headers, ticket_servers

PLACE = {"place_ja": "2階総合カウンター", "place_en": "the 2nd floor main counter"}


def called_ticket() -> Ticket:
    """A called ticket holding everything a ticket can hold besides its number."""
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    return Ticket(ticket_id="tk_SECRETID0123", status_token="StatusTokenAbc123", service="mynumber",
                  day=date(2026, 12, 1), seq=7, number="M-007", status=CALLED, kiosk_id="kiosk-1f-01",
                  reason="no_old_link", reference="K7Q2XD", issued_at=now, called_at=now, last_called_at=now,
                  counter_id="3", called_by="demo-admin", call_count=1)


def test_the_words_are_the_number_and_the_counter_only() -> None:
    settings = Settings()
    ticket = called_ticket()
    entry = queries._call_entry(Catalog.from_settings(settings), ticket)
    words = announce_entry(entry, place_ja=settings.callout_place_ja, place_en=settings.callout_place_en)
    assert words.ja == "受付番号、M の 7 番の方、2階総合カウンター、3番窓口へお越しください。"
    assert words.en == "Ticket number M 7, please come to Counter 3 at the 2nd floor main counter."
    for private in (ticket.ticket_id, ticket.status_token, ticket.kiosk_id, ticket.reason, ticket.reference,
                    ticket.called_by):
        assert private not in words.ja and private not in words.en
    # The board names the audio by a hash of the words, not by anything of the ticket.
    board = with_call_audio({"calling": [dict(entry)], "recent": []}, **PLACE)
    assert board["calling"][0]["audio"] == f"/v1/lobby/calls/{words.key}/audio"
    assert all(private not in board["calling"][0]["audio"] for private in (ticket.ticket_id, ticket.status_token))


def test_other_numbers_and_counters_read_as_said() -> None:
    words = announce(number="R-012", counter_ja="1番窓口", counter_en="Counter 1", **PLACE)
    assert words.ja == "受付番号、R の 12 番の方、2階総合カウンター、1番窓口へお越しください。"
    assert words.en == "Ticket number R 12, please come to Counter 1 at the 2nd floor main counter."
    assert words.key != announce(number="R-012", counter_ja="2番窓口", counter_en="Counter 2", **PLACE).key


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2)))


def test_the_call_is_a_chime_then_japanese_then_english_and_not_silent() -> None:
    words = announce(number="M-007", counter_ja="3番窓口", counter_en="Counter 3", **PLACE)
    call = voice.render(words)
    with wave.open(io.BytesIO(call.wav)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, voice.RATE)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768
    rate = voice.RATE
    names = [name for name, _, _ in call.parts]
    assert names == ["chime", "ja", "en"]
    (_, chime_start, chime_end), (_, ja_start, ja_end), (_, en_start, en_end) = call.parts
    assert chime_start == 0 and chime_end < ja_start < ja_end < en_start < en_end <= len(samples) / rate

    def part(start: float, end: float) -> np.ndarray:
        return samples[int(start * rate):int(end * rate)]

    # It starts with the chime, at once: its first tone (E5) then its second (C5).
    assert np.max(np.abs(samples[: rate // 50])) > 0.05
    assert abs(_dominant_hz(part(0.0, 0.4), rate) - voice.CHIME_TONES[0][0]) < 10
    assert abs(_dominant_hz(part(0.7, 1.2), rate) - voice.CHIME_TONES[1][0]) < 10
    # Each part is loud, and the pauses between are silent.
    for start, end in ((chime_start, chime_end), (ja_start, ja_end), (en_start, en_end)):
        assert _rms(part(start, end)) > 0.05
    for start, end in ((chime_end, ja_start), (ja_end, en_start)):
        assert np.max(np.abs(part(start, end))) == 0
    # The Japanese part is Open JTalk reading the Japanese words, the English part espeak-ng the English.
    ja_samples, ja_rate = pyopenjtalk.tts(readings.spoken(words.ja, "ja"))
    assert ja_end - ja_start == pytest.approx(len(ja_samples) / ja_rate, rel=0.01)
    spoken = subprocess.run(["espeak-ng", "-v", voice.ENGLISH_VOICE, "-s", str(voice.WORDS_PER_MINUTE), "--stdout"],
                            input=readings.spoken(words.en, "en").encode(), capture_output=True, timeout=30,
                            check=True).stdout
    with wave.open(io.BytesIO(spoken)) as english:
        en_seconds = len(english.readframes(english.getnframes())) / 2 / english.getframerate()
    assert en_end - en_start == pytest.approx(en_seconds, rel=0.01)
    assert abs((ja_end - ja_start) - en_seconds) > 0.2  # the two parts are told apart by their lengths


def test_synthesis_runs_off_the_event_loop_and_once_for_displays_asking_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = announce(number="S-003", counter_ja="2番窓口", counter_en="Counter 2", **PLACE)
    rendered: list[str] = []
    real_render = voice.render

    def counted(announcement):  # type: ignore[no-untyped-def]
        rendered.append(announcement.key)
        return real_render(announcement)

    monkeypatch.setattr(voice, "render", counted)

    async def scenario() -> tuple[list[bytes], int]:
        calls = voice.CallVoice()
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        beat = asyncio.create_task(ticker())
        wavs = await asyncio.gather(calls.audio(words), calls.audio(words))
        done.set()
        await beat
        assert calls.cached(words.key) == wavs[0]
        wavs.append(await calls.audio(words))  # from the cache
        return wavs, ticks

    wavs, ticks = asyncio.run(scenario())
    assert rendered == [words.key]
    assert wavs[0] == wavs[1] == wavs[2] and wavs[0][:4] == b"RIFF"
    assert ticks > 5  # the loop went on while the call was synthesised


@pytest.fixture
def server(sqlite_dir: Path) -> Iterator[ServerProcess]:
    with ticket_servers(f"sqlite:///{sqlite_dir / f'call-audio-{uuid.uuid4().hex[:8]}.db'}") as servers:
        yield servers[0]


def test_the_lobby_says_a_call_with_the_kiosks_readings(server: ServerProcess) -> None:
    """The real server's call audio, fetched as the lobby display does: its Japanese part is Open JTalk given
    方 as a person (カタ, not ホー), the letter by its name (エム) and the announcer's pauses, as the kiosk says
    them (protocol/readings.py), not the written words."""
    ticket = issue(kiosk_session(server), server, "mynumber")
    digits = str(int(ticket["number"].split("-")[1]))
    response = requests.post(server.base_url + "/v1/counter/calls", json={"service": "mynumber", "counter": "3"},
                             headers=staff_headers(server), timeout=30)
    assert response.status_code == 200 and response.json()["ticket_id"] == ticket["ticket_id"], response.text
    board = requests.get(server.base_url + "/v1/lobby", timeout=30).json()
    call = next(entry for entry in board["calling"] if entry["number"] == ticket["number"])
    audio = requests.get(server.base_url + call["audio"], timeout=300)
    assert audio.status_code == 200 and audio.headers["content-type"].startswith("audio/wav"), audio.status_code
    with wave.open(io.BytesIO(audio.content)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32767
    said = f"受付番号、エム の {digits} 番のカタ、2階総合カウンター、3番窓口へお越しください。"
    samples, rate = pyopenjtalk.tts(said)
    expected = voice._normalised(voice._resample(np.asarray(samples, dtype=np.float64), int(rate)))
    start = int((voice.CHIME_SECONDS + voice.GAP_AFTER_CHIME_S) * voice.RATE)
    assert np.max(np.abs(pcm[start:start + len(expected)] - expected)) < 2 / 32767, "the hinted reading"
    written, _ = pyopenjtalk.tts(f"受付番号、M の {digits} 番の方、2階総合カウンター、3番窓口へお越しください。")
    assert len(written) != len(samples) or not np.allclose(written, samples), "the hint changes what is said"
    # The English words as the kiosk says a number too: "M-7", the letter then the number (espeak-ng would read
    # a lone A before a number as the article).
    english = voice.english(f"Ticket number M-{digits}, please come to Counter 3 at the 2nd floor main counter.")
    start += len(expected) + int(voice.GAP_BETWEEN_LANGUAGES_S * voice.RATE)
    assert np.max(np.abs(pcm[start:start + len(english)] - english)) < 2 / 32767, "the hinted English"

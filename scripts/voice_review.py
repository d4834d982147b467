"""The machine's listening of every spoken prompt: ``python -m scripts.voice_review`` rewrites the tables of
docs/voice-review.md (below its marker line; the findings above it are written by hand).

For every Japanese and やさしい日本語 prompt (and the buttons' labels the keypad's menus say, and the lobby's
call-outs): the text, what the synthesiser is given where a reading hint changes it (protocol/readings.py),
Open JTalk's reading in accent phrases (／), and the audio as the kiosk writes it: length, morae, seconds per
mora, Open JTalk's raw peak (in times of 16-bit full scale: above 1 it would have clipped before levelling)
and the levelled file's peak and speech RMS in dBFS. For every Mandarin prompt: espeak-ng cmn-latn-pinyin's
length, syllables and levels, and whether any of it was read as English.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from kiosk import i18n
from kiosk.a11y import menus, speech
from kiosk.a11y.cues import TICKET_NUMBER_KEY, spoken_text
from protocol import readings
from server.tickets.callout import announce

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "voice-review.md"
MARKER = "<!-- Everything below is written by `python -m scripts.voice_review`. -->"
NUMBER = {"number": "A 0 1 2"}  # the one value a prompt says: a ticket's number, spelt out
PLACE = {"place_ja": "2階総合カウンター", "place_en": "the 2nd floor main counter"}
PAUSES = ("、", "。", "？", "！", "…")


def _pyopenjtalk():  # type: ignore[no-untyped-def]
    with contextlib.redirect_stdout(io.StringIO()):  # its import prints a note about an optional model
        import pyopenjtalk
    return pyopenjtalk


def phrases(text: str) -> str:
    """Open JTalk's reading of ``text`` in katakana, its accent phrases split by ／ and its pauses as 、."""
    out = ""
    for node in _pyopenjtalk().run_frontend(text):
        if node["pos"] == "記号" and node["pron"] in PAUSES:
            out += "、"
            continue
        if node["chain_flag"] != 1 and out and not out.endswith("、"):
            out += "／"
        out += node["pron"].replace("’", "")
    return out.rstrip("、")


def moras(reading: str) -> int:
    kana = sum(1 for ch in reading if "ァ" <= ch <= "ヶ" or ch == "ー")
    return kana - sum(reading.count(small) for small in "ャュョァィゥェォ")


def db(value: float) -> str:
    return f"{20 * math.log10(value / 32767):.1f}" if value > 0 else "-inf"


def japanese_rows() -> list[tuple[str, str, str]]:
    """(language, key, text) of every Japanese prompt, the keypad's spoken labels, and the ticket's number."""
    labels = menus.spoken_labels()
    rows = []
    for language in ("ja", "ja-easy"):
        for key, text in i18n.catalogue(language).items():
            if key == TICKET_NUMBER_KEY:
                rows.append((language, key, spoken_text(key, language, NUMBER)))
            elif (key.startswith("voice.") or key in labels) and "{" not in text:
                rows.append((language, key, text))
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def japanese_table(synth: speech.Synthesiser) -> tuple[list[str], dict[str, float]]:
    pyopenjtalk = _pyopenjtalk()
    lines = ["| language | key | text | given to Open JTalk (where hinted) | reading (／ accent phrase) | s | morae "
             "| s/mora | raw peak ×FS | peak dBFS | speech RMS dBFS |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    figures: dict[str, list[float]] = {"per_mora": [], "raw": [], "peak": [], "rms": []}
    started = time.process_time()
    for language, key, text in japanese_rows():
        said = readings.spoken(text, language)
        raw, _rate = pyopenjtalk.tts(said)
        path = synth.wav(text, language)
        assert path is not None, key
        with wave.open(str(path)) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
            seconds = w.getnframes() / w.getframerate()
            frame = w.getframerate() // 100
        energy = np.sqrt(np.mean(pcm[: pcm.size // frame * frame].reshape(-1, frame) ** 2, axis=1))
        speech_rms = float(np.sqrt(np.mean(energy[energy > energy.max() / 30] ** 2)))
        count = moras(pyopenjtalk.g2p(said, kana=True))
        raw_peak = float(np.max(np.abs(raw))) / 32767
        peak = float(np.max(np.abs(pcm)))
        figures["per_mora"].append(seconds / max(1, count))
        figures["raw"].append(raw_peak)
        figures["peak"].append(peak)
        figures["rms"].append(speech_rms)
        lines.append(f"| {language} | `{key}` | {_cell(text)} | {_cell(said) if said != text else ''} "
                     f"| {phrases(said)} | {seconds:.2f} | {count} | {seconds / max(1, count):.3f} "
                     f"| {raw_peak:.2f} | {db(peak)} | {db(speech_rms)} |")
    summary = {
        "prompts": len(figures["raw"]),
        "clipped_before": sum(1 for p in figures["raw"] if p > 1.0),
        "raw_peak_max": max(figures["raw"]),
        "peak_max_db": 20 * math.log10(max(figures["peak"]) / 32767),
        "rms_min_db": 20 * math.log10(min(figures["rms"]) / 32767),
        "rms_max_db": 20 * math.log10(max(figures["rms"]) / 32767),
        "per_mora_min": min(figures["per_mora"]),
        "per_mora_median": float(np.median(figures["per_mora"])),
        "per_mora_max": max(figures["per_mora"]),
        "cpu_s": time.process_time() - started,
    }
    return lines, summary


def callout_table() -> list[str]:
    from server.tickets import voice

    lines = ["| number | words | given to Open JTalk | reading (／ accent phrase) | Japanese part s "
             "| English given to espeak-ng |", "| --- | --- | --- | --- | --- | --- |"]
    for number, counter in (("R-012", "1"), ("M-007", "3"), ("S-003", "2"), ("A-012", "3")):
        words = announce(number=number, counter_ja=f"{counter}番窓口", counter_en=f"Counter {counter}", **PLACE)
        said = readings.spoken(words.ja, "ja")
        seconds = len(voice.japanese(words.ja)) / voice.RATE
        lines.append(f"| {number} | {words.ja} | {said} | {phrases(said)} | {seconds:.2f} "
                     f"| {readings.spoken(words.en, 'en')} |")
    return lines


def mandarin_table(synth: speech.Synthesiser) -> tuple[list[str], dict[str, float]]:
    lines = ["| key | text | given to espeak-ng (where hinted) | s | syllables | s/syllable | peak dBFS | RMS dBFS "
             "| read as English |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    labels = menus.spoken_labels()
    rows = [(key, spoken_text(key, "zh", NUMBER) if key == TICKET_NUMBER_KEY else text)
            for key, text in i18n.catalogue("zh").items()
            if key == TICKET_NUMBER_KEY or ((key.startswith("voice.") or key in labels) and "{" not in text)]
    english = 0
    per: list[float] = []
    started = time.perf_counter()
    for key, text in rows:
        said = readings.spoken(text, "zh")
        path = synth.wav(text, "zh")
        assert path is not None, key
        with wave.open(str(path)) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
            seconds = w.getnframes() / w.getframerate()
        syllables = len(re.findall(r"[\u4e00-\u9fff]|[a-z]+[1-5]|[0-9]|[A-Za-z]+", said))
        phonemes = subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-q", "-x", "--", said],
                                  capture_output=True, text=True, check=True).stdout
        as_english = "(en)" in phonemes
        english += as_english
        per.append(seconds / max(1, syllables))
        lines.append(f"| `{key}` | {_cell(text)} | {_cell(said) if said != text else ''} | {seconds:.2f} "
                     f"| {syllables} | {seconds / max(1, syllables):.3f} | {db(float(np.max(np.abs(pcm))))} "
                     f"| {db(float(np.sqrt(np.mean(pcm**2))))} | {'yes' if as_english else 'no'} |")
    return lines, {"prompts": len(rows), "english": english, "per_min": min(per), "per_median": float(np.median(per)),
                   "per_max": max(per), "wall_s": time.perf_counter() - started}


def main() -> int:
    with tempfile.TemporaryDirectory() as cache:
        voices = {"ja": "openjtalk", "ja-easy": "openjtalk", "zh": "espeak-ng:cmn-latn-pinyin"}
        synth = speech.Synthesiser(voices, Path(cache))
        japanese, j = japanese_table(synth)
        mandarin, m = mandarin_table(synth)
    out = [
        MARKER, "",
        "## Japanese and やさしい日本語 prompts, as the kiosk says them", "",
        f"{j['prompts']} prompts (the `voice.*` prompts, the keypad's spoken button labels, the ticket number with "
        f"\"A 0 1 2\"), synthesised by the kiosk's own `Synthesiser` in {j['cpu_s']:.0f} s of CPU on this loaded "
        f"2-core machine. Open JTalk's raw output passed 16-bit full scale on {j['clipped_before']} of them (up to "
        f"{j['raw_peak_max']:.2f} times): clipped before levelling. Written files: peak at most "
        f"{j['peak_max_db']:.1f} dBFS; speech RMS {j['rms_min_db']:.1f} to {j['rms_max_db']:.1f} dBFS; "
        f"{j['per_mora_min']:.3f} to {j['per_mora_max']:.3f} s per mora (median {j['per_mora_median']:.3f}: about "
        f"{1 / j['per_mora_median']:.1f} morae a second, the slow end being one-word labels with their silence).",
        "", *japanese, "",
        "## The lobby's call-outs (server/tickets/callout.py, voice.py)", "", *callout_table(), "",
        "## Mandarin prompts (espeak-ng cmn-latn-pinyin)", "",
        f"{m['prompts']} prompts in {m['wall_s']:.1f} s (wall clock, synthesis and the phoneme check); "
        f"{m['english']} read as English; {m['per_min']:.2f} to {m['per_max']:.2f} s per syllable "
        f"(median {m['per_median']:.2f}).", "", *mandarin, "",
    ]
    head = DOC.read_text(encoding="utf-8").split(MARKER)[0] if DOC.exists() else "# Voice review\n\n"
    DOC.write_text(head + "\n".join(out), encoding="utf-8")
    print(f"voice review: {j['prompts']} Japanese and {m['prompts']} Mandarin prompts written to {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

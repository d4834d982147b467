"""Card benchmark over the real pcscd + vpcd + pyscard path: APDU count and wall time of the kiosk's two card steps.

  migration read: the no-PIN read every card flow starts with (kiosk.effects.migration.MigrationWork.read_card):
                  token check, certificate, both PINs' tries   (and, separately, the insert → card-present wait)
  signing:        VERIFY of the auth PIN and the signature (kiosk.effects.card.sign_challenge)
each on a connection of its own, as the app opens them, against a baseline of one bare SELECT round trip
measured in the same run. The count is what the virtual card received, printed beside the minimum.
    python -m bench.card_bench

The measurement runs in a child process with its own private pcscd: pyscard
binds to one pcscd socket per process, at its first call.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RUNS = 30
BASELINE_RUNS = 200
REPO = Path(__file__).resolve().parent.parent
# The fewest APDUs each step can take. Migration read: SELECT JPKI AP, SELECT EF 0006, READ token; SELECT EF
# 000A (+ one READ per 256-byte chunk of the certificate); SELECT EF 0018, empty VERIFY; SELECT 入力補助AP,
# SELECT EF 0011, empty VERIFY. Signing on a fresh connection: SELECT JPKI AP, SELECT EF 0018, VERIFY,
# SELECT EF 0017, COMPUTE DIGITAL SIGNATURE; plus the empty VERIFY the never-lock rule sends before it.
MINIMUM_READ_FIXED = 3 + 1 + 2 + 3
MINIMUM_SIGN = 5 + 1


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples) * 1000, 3)


def _measure() -> dict[str, Any]:
    """Runs in the child: start a private pcscd and the virtual card, then time the kiosk's two card steps."""
    import datetime as dt
    import os
    from datetime import date

    from virtualcard.card import VirtualCard
    from virtualcard.pcscd import READER_NAME, PrivatePcscd
    from virtualcard.pki import load_or_create
    from virtualcard.vpcd import CardServer

    persona = load_or_create().personas["normal"]
    with PrivatePcscd() as pcscd:
        os.environ.update(pcscd.env)  # before the first PC/SC call of this process
        from kiosk.api.client import MigrationChallenge
        from kiosk.card import Pin
        from kiosk.card.pcsc import PcscConnection, wait_for_card
        from kiosk.effects.card import CardSessions, sign_challenge
        from kiosk.effects.migration import MigrationWork
        from kiosk.flows import card_steps as cs

        class ChallengeOnly:
            """The server's part of signing, answered at once: this bench times the card's part."""

            def migration_challenge(self) -> MigrationChallenge:
                return MigrationChallenge("bench", b"server challenge", dt.datetime.now(dt.UTC))

        server = CardServer(pcscd.port)
        card = VirtualCard.for_persona(persona)
        try:
            start = time.perf_counter()
            server.insert(card)
            assert wait_for_card(READER_NAME, present=True, timeout=5)
            insert_ms = round((time.perf_counter() - start) * 1000, 1)

            with PcscConnection(READER_NAME) as conn:
                select = bytes.fromhex("00A4040C0AD392F000260100000001")
                baseline_ms = _median_ms(lambda: conn.send_and_receive(select), BASELINE_RUNS)

            def steps(extended: bool | None) -> tuple[Callable[[], object], Callable[[], object]]:
                # The kiosk's own effects, each on a connection of its own as the app opens them.
                cards = CardSessions(READER_NAME, connect=lambda: PcscConnection(
                    READER_NAME, extended_length=extended).connect())
                work = MigrationWork(api=None, cards=cards, today=date.today)  # type: ignore[arg-type]

                def read() -> object:
                    result = work.read_card(cs.ReadCard())
                    assert isinstance(result, cs.CardRead), result
                    return result

                def sign() -> object:
                    with cards.open() as connection:
                        return sign_challenge(ChallengeOnly(), connection,  # type: ignore[arg-type]
                                              Pin(bytearray(persona.auth_pin.encode())), False, None)

                return read, sign

            def count(step: Callable[[], object]) -> int:
                card.history.clear()
                step()
                return len(card.history)  # what the card received, GET RESPONSEs and all

            read, sign = steps(None)
            read_apdus, sign_apdus = count(read), count(sign)
            read_ms = _median_ms(read, RUNS)
            sign_ms = _median_ms(sign, RUNS)
            extended_apdus = count(steps(True)[0])
        finally:
            server.close()

    chunk = 256
    chunks = math.ceil(len(persona.cert_der) / chunk)
    return {
        "certificate_bytes": len(persona.cert_der),
        "chunk_bytes": chunk,
        "reader_extended_length": False,
        "baseline_select_ms": baseline_ms,
        "insert_to_present_ms": insert_ms,
        "migration_read": {
            "apdus": read_apdus,
            "minimum_apdus": MINIMUM_READ_FIXED + chunks,
            "median_ms": read_ms,
            "x_baseline": round(read_ms / baseline_ms, 1),
        },
        "signing": {
            "apdus": sign_apdus,
            "minimum_apdus": MINIMUM_SIGN,
            "median_ms": sign_ms,
            "x_baseline": round(sign_ms / baseline_ms, 1),
        },
        "migration_read_forced_extended_apdus": extended_apdus,
    }


STEPS = (
    ("migration read", "migration_read", "token check, certificate, two tries counters"),
    ("signing", "signing", "5 on a fresh connection, plus the tries read"),
)


def step_line(label: str, figures: dict[str, Any], note: str) -> str:
    """One step's printed line; README.md and docs/performance.md quote its 'N APDUs (minimum M)'."""
    return (
        f"{label + ':':16} {figures['apdus']:2} APDUs (minimum {figures['minimum_apdus']:2}: {note})  "
        f"{figures['median_ms']:8.3f} ms median = {figures['x_baseline']}x baseline"
    )


def _print(figures: dict[str, Any]) -> None:
    base = figures["baseline_select_ms"]
    print(f"baseline: bare SELECT round trip {base:.3f} ms (median of {BASELINE_RUNS})")
    print(f"insert → card present in pcscd: {figures['insert_to_present_ms']} ms (pcscd polls vpcd every ~0.4 s)")
    print(
        f"certificate {figures['certificate_bytes']} bytes, chunks of {figures['chunk_bytes']} "
        f"(reader extended length: {figures['reader_extended_length']}); each step opens its own connection"
    )
    for label, key, note in STEPS:
        print(step_line(label, figures[key], note))
    print(f"migration read with forced extended length: {figures['migration_read_forced_extended_apdus']} APDUs")


def main() -> dict[str, Any]:
    """Measure in a child process, print the figures, and return them."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.card_bench", "--child"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"card benchmark child failed: {result.stderr.strip()[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    _print(figures)
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        print(json.dumps(_measure()))
    else:
        main()

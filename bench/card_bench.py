"""Card benchmark over the real pcscd + vpcd + pyscard path: APDU count and wall time of the kiosk's two card steps.

  insert → certificate + tries read   (and, separately, the insert → card-present wait of pcscd)
  PIN → signature
against a baseline of one bare SELECT round trip measured in the same run, with
the count printed beside the minimum for the chunk size in use.
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


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples) * 1000, 3)


def _measure() -> dict[str, Any]:
    """Runs in the child: start a private pcscd and the virtual card, then time the flows."""
    import os

    from virtualcard.card import VirtualCard
    from virtualcard.pcscd import READER_NAME, PrivatePcscd
    from virtualcard.pki import load_or_create
    from virtualcard.vpcd import CardServer

    persona = load_or_create().personas["normal"]
    with PrivatePcscd() as pcscd:
        os.environ.update(pcscd.env)  # before the first PC/SC call of this process
        from kiosk.card import JpkiSession, Pin, sha256_digest_info
        from kiosk.card.pcsc import PcscConnection, wait_for_card
        from virtualcard.fake import RecordingConnection

        server = CardServer(pcscd.port)
        try:
            start = time.perf_counter()
            server.insert(VirtualCard.for_persona(persona))
            assert wait_for_card(READER_NAME, present=True, timeout=5)
            insert_ms = round((time.perf_counter() - start) * 1000, 1)

            with PcscConnection(READER_NAME) as conn:
                select = bytes.fromhex("00A4040C0AD392F000260100000001")
                baseline_ms = _median_ms(lambda: conn.send_and_receive(select), BASELINE_RUNS)

                def read_step(connection: Any) -> JpkiSession:
                    session = JpkiSession(connection)
                    session.read_auth_certificate()
                    session.auth_pin_tries_left()
                    return session

                def pin_step(session: JpkiSession) -> bytes:
                    session.verify_auth_pin(Pin(bytearray(persona.auth_pin.encode())))
                    return session.sign_auth(sha256_digest_info(b"server challenge"))

                read_ms = _median_ms(lambda: read_step(conn), RUNS)
                sign_samples = []
                for _ in range(RUNS):
                    # As at the kiosk: the tries were read (and shown) before the patron typed the PIN.
                    session = read_step(conn)
                    start = time.perf_counter()
                    pin_step(session)
                    sign_samples.append(time.perf_counter() - start)
                sign_ms = round(statistics.median(sign_samples) * 1000, 3)

                recorder = RecordingConnection(conn)
                session = read_step(recorder)
                read_apdus = len(recorder.commands)
                recorder.commands.clear()
                pin_step(session)
                sign_apdus = len(recorder.commands)
                recorder.commands.clear()
                JpkiSession(recorder).is_my_number_card()
                token_apdus = len(recorder.commands) - 1  # minus the SELECT AP already counted

            with PcscConnection(READER_NAME, extended_length=True) as ext:
                recorder = RecordingConnection(ext)
                read_step(recorder)
                extended_apdus = len(recorder.commands)
        finally:
            server.close()

    chunk = 256
    chunks = math.ceil(len(persona.cert_der) / chunk)
    read_min = 2 + chunks + 2  # SELECT AP, SELECT EF, READ per chunk, SELECT PIN EF, empty VERIFY
    return {
        "certificate_bytes": len(persona.cert_der),
        "chunk_bytes": chunk,
        "reader_extended_length": False,
        "baseline_select_ms": baseline_ms,
        "insert_to_present_ms": insert_ms,
        "cert_and_tries": {
            "apdus": read_apdus,
            "minimum_apdus": read_min,
            "median_ms": read_ms,
            "x_baseline": round(read_ms / baseline_ms, 1),
        },
        "pin_to_signature": {
            "apdus": sign_apdus,
            # VERIFY, SELECT key EF, SIGN; plus the empty VERIFY the never-lock rule requires before it.
            "minimum_apdus": 4,
            "median_ms": sign_ms,
            "x_baseline": round(sign_ms / baseline_ms, 1),
        },
        "token_check_extra_apdus": token_apdus,
        "cert_and_tries_forced_extended_apdus": extended_apdus,
    }


def _print(figures: dict[str, Any]) -> None:
    base = figures["baseline_select_ms"]
    print(f"baseline: bare SELECT round trip {base:.3f} ms (median of {BASELINE_RUNS})")
    print(f"insert → card present in pcscd: {figures['insert_to_present_ms']} ms (pcscd polls vpcd every ~0.4 s)")
    print(
        f"certificate {figures['certificate_bytes']} bytes, chunks of {figures['chunk_bytes']} "
        f"(reader extended length: {figures['reader_extended_length']})"
    )
    for label, key in (("certificate + tries read", "cert_and_tries"), ("PIN → signature", "pin_to_signature")):
        f = figures[key]
        print(
            f"{label:26} {f['apdus']:2} APDUs (minimum {f['minimum_apdus']:2})  "
            f"{f['median_ms']:8.3f} ms median = {f['x_baseline']}× baseline"
        )
    print(f"My Number token check adds {figures['token_check_extra_apdus']} APDUs (SELECT EF 0006, READ)")
    print(f"certificate + tries with forced extended length: {figures['cert_and_tries_forced_extended_apdus']} APDUs")


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

"""Migration benchmark: the kiosk's end-to-end MyKey migration against the real server, with the server's
verification cost broken out, on SQLite and on PostgreSQL.

    python -m bench.migration_bench

End to end is what the kiosk does after the PIN: POST /v1/cards/challenges, the card signs the
challenge (here the `normal` persona's private key, as virtualcard does: the card's own time is in
card_bench's "signing"), POST /v1/migrations, each through kiosk.api.KioskApiClient (signed,
idempotent, audited). Between runs the persona's old-scheme link is restored in the database (not timed).
The server does not report its own timings, so its verification is timed in this process on the same
code path (server.cards.service.verify_card_response's parts) against the same database and trust
store. Baseline: the GET /health round trip of the same server, measured in the same run.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

RUNS = 30
BASELINE_RUNS = 100
PERSONA = "normal"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _p90_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000, 2)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _restore_old_link(database_url: str, card_number: str) -> None:
    """Undo a completed migration: drop the MyKey link, make the old one active again (not timed)."""
    from sqlalchemy import delete, update

    from server.db import make_engine, make_session_factory, transaction
    from server.patrons.models import Linkage
    from server.patrons.service import get_patron

    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        patron_id = get_patron(session=session, card_number=card_number).id
        session.execute(delete(Linkage).where(Linkage.patron_id == patron_id, Linkage.scheme == "mykey"))
        session.execute(update(Linkage).where(Linkage.patron_id == patron_id, Linkage.scheme == "old")
                        .values(active=True, ended_at=None, ended_reason=None))
    engine.dispose()


def _end_to_end(server: Any, persona: Any) -> dict[str, Any]:
    """Challenge, card signature, submit: RUNS times through the kiosk client, each phase timed."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from kiosk.api import KioskApiClient

    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=30)
    health = []
    for _ in range(BASELINE_RUNS + 1):
        health.append(_timed(client.health)[1])
    health = health[1:]  # the first opens the connection
    phases: dict[str, list[float]] = {"challenge": [], "card_signature": [], "submit": [], "end_to_end": []}
    for _ in range(RUNS):
        _restore_old_link(server.database_url, persona.library_card)
        challenge, t_challenge = _timed(lambda: client.migration_challenge(idempotency_key=str(uuid.uuid4())))
        signature, t_sign = _timed(lambda c=challenge: persona.private_key.sign(c.challenge, padding.PKCS1v15(),
                                                                                 hashes.SHA256()))
        outcome, t_submit = _timed(lambda c=challenge, s=signature: client.submit_migration(
            challenge_id=c.challenge_id, card_number=persona.library_card, certificate_der=persona.cert_der,
            signature=s, idempotency_key=str(uuid.uuid4())))
        if outcome.status != "completed":
            raise RuntimeError(f"migration did not complete: {outcome}")
        for name, value in (("challenge", t_challenge), ("card_signature", t_sign), ("submit", t_submit),
                            ("end_to_end", t_challenge + t_sign + t_submit)):
            phases[name].append(value)
    client.close()
    figures: dict[str, Any] = {"baseline_health_ms": _median_ms(health)}
    for name, samples in phases.items():
        figures[f"{name}_ms"] = _median_ms(samples)
    figures["end_to_end_p90_ms"] = _p90_ms(phases["end_to_end"])
    figures["end_to_end_x_baseline"] = round(figures["end_to_end_ms"] / figures["baseline_health_ms"], 1)
    return figures


def _verification(database_url: str, persona: Any) -> dict[str, Any]:
    """The server's verification steps, in process, on the server's database and trust store."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from server.bootstrap import build_state
    from server.config import load_settings
    from server.jpki import parse_certificate, verify_signature

    state = build_state(load_settings(database_url=database_url, use_test_pki=True))
    steps: dict[str, list[float]] = {"parse_certificate": [], "chain_dates_crl": [], "challenge_and_signature": [],
                                     "signature_only": []}
    for _ in range(RUNS + 1):
        challenge = state.mykey.issue_challenge()
        signature = persona.private_key.sign(challenge.data, padding.PKCS1v15(), hashes.SHA256())
        cert, t_parse = _timed(lambda: parse_certificate(persona.cert_der))
        _, t_chain = _timed(lambda c=cert: state.trust.verify(c, at=state.clock.now()))
        _, t_challenge = _timed(lambda ch=challenge, s=signature: state.mykey.verify_response(
            challenge_id=ch.challenge_id, certificate_der=persona.cert_der, signature=s))
        _, t_sig = _timed(lambda c=cert, ch=challenge, s=signature: verify_signature(cert=c, data=ch.data,
                                                                                     signature=s))
        for name, value in (("parse_certificate", t_parse), ("chain_dates_crl", t_chain),
                            ("challenge_and_signature", t_challenge), ("signature_only", t_sig)):
            steps[name].append(value)
    state.engine.dispose()
    figures = {f"{name}_ms": _median_ms(samples[1:]) for name, samples in steps.items()}  # first: warm-up
    figures["verification_total_ms"] = round(
        figures["parse_certificate_ms"] + figures["chain_dates_crl_ms"] + figures["challenge_and_signature_ms"], 2)
    return figures


def main() -> dict:
    """Run on SQLite and PostgreSQL, print the figures, and return them."""
    from tests.support.postgres import start_postgres
    from tests.support.server_proc import start_server
    from virtualcard.pki import load_or_create

    persona = load_or_create().personas[PERSONA]
    workdir = Path(tempfile.mkdtemp(prefix="migration-bench-"))
    pg = start_postgres()
    results: dict[str, Any] = {"runs": RUNS, "persona": PERSONA}
    try:
        for backend, url in (("sqlite", f"sqlite:///{workdir / 'migration.db'}"),
                             ("postgresql", pg.create_database("migration_bench"))):
            server = start_server(database_url=url)
            try:
                figures = _end_to_end(server, persona)
            finally:
                server.stop()
            figures["server_verification"] = _verification(url, persona)
            verification = figures["server_verification"]["verification_total_ms"]
            figures["submit_other_ms"] = round(figures["submit_ms"] - verification, 2)
            results[backend] = figures
            print(f"{backend}: health baseline {figures['baseline_health_ms']:.2f} ms; end to end "
                  f"{figures['end_to_end_ms']:.2f} ms median (p90 {figures['end_to_end_p90_ms']:.2f}) = "
                  f"{figures['end_to_end_x_baseline']}x baseline: challenge {figures['challenge_ms']:.2f}, "
                  f"card signature {figures['card_signature_ms']:.2f}, submit {figures['submit_ms']:.2f} ms")
            steps = figures["server_verification"]
            print(f"  server verification {verification:.2f} ms: parse {steps['parse_certificate_ms']:.2f}, "
                  f"chain+dates+CRL {steps['chain_dates_crl_ms']:.2f}, challenge+signature "
                  f"{steps['challenge_and_signature_ms']:.2f} (signature alone {steps['signature_only_ms']:.2f}); "
                  f"rest of submit (HTTP, HMAC+nonce, idempotency, link switch, audit) "
                  f"{figures['submit_other_ms']:.2f} ms")
    finally:
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()

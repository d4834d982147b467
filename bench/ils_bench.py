"""ILS benchmark: the expiry check by card number through SIP2 against the same check on the server's own
database, in the same run.

    python -m bench.ils_bench

Two real server processes on SQLite: one with patron_source = "database" (the default), one with
patron_source = "sip2" against pysip2's AnyIO SIP2 server (tests/support/sip2_ils.py, login required,
checksums on) in this process's thread. Each check is GET /v1/cards/{number}/expiry as the kiosk sends it
(HMAC-signed, one keep-alive connection), interleaved between the two servers so that load on the machine
falls on both alike. Broken out: the SIP2 exchange alone (server.ils's client, a pooled connection, 63 → 64
against the same pysip2 server), and the baseline GET /health of the database server.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

RUNS = 200
CARD = "2000000121"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _p90_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000, 2)


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> dict:
    """Run both servers, print the figures, and return them."""
    import requests

    from kiosk.api import HmacAuth
    from server.ils.sip2 import messages
    from server.ils.sip2.client import Sip2Client, Sip2Options
    from tests.support.server_proc import start_server
    from tests.support.sip2_ils import INSTITUTION, LOGIN_PASSWORD, LOGIN_USER, IlsPatron, PysipIls

    workdir = Path(tempfile.mkdtemp(prefix="ils-bench-"))
    results: dict[str, Any] = {"runs": RUNS}
    with PysipIls({CARD: IlsPatron("Bench Patron", expires=date(2029, 3, 1))}) as ils:
        common = {"SERVER_TODAY": "2026-06-15", "SERVER_LOG_LEVEL": "warning"}
        database = start_server(database_url=f"sqlite:///{workdir / 'db.db'}", settings=common)
        sip2 = None
        try:
            sip2 = start_server(database_url=f"sqlite:///{workdir / 'sip2.db'}", settings={
                **common, "SERVER_PATRON_SOURCE": "sip2", "SERVER_SIP2_HOST": "127.0.0.1",
                "SERVER_SIP2_PORT": str(ils.port), "SERVER_SIP2_INSTITUTION_ID": INSTITUTION,
                "SERVER_SIP2_LOGIN_USER": LOGIN_USER, "SERVER_SIP2_LOGIN_PASSWORD": LOGIN_PASSWORD,
                "SERVER_SIP2_EXPIRY_FIELD": "AF", "SERVER_SIP2_EXPIRY_FORMAT": "EXPIRES %Y-%m-%d"})
            sessions = {}
            for name, server in (("database", database), ("sip2", sip2)):
                session = requests.Session()
                session.auth = HmacAuth(server.kiosk_id, server.kiosk_secret)
                sessions[name] = (session, f"{server.base_url}/v1/cards/{CARD}/expiry")

            def check(name: str) -> None:
                session, url = sessions[name]
                response = session.get(url, timeout=30)
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")

            samples: dict[str, list[float]] = {"database": [], "sip2": [], "health": []}
            for _ in range(10):  # warm-up: connections, the SIP2 login, the first imports
                check("database"), check("sip2")
            for _ in range(RUNS):
                samples["database"].append(_timed(lambda: check("database")))
                samples["sip2"].append(_timed(lambda: check("sip2")))
                samples["health"].append(_timed(lambda: sessions["database"][0].get(database.base_url + "/health",
                                                                                    timeout=30)))
            client = Sip2Client(Sip2Options(host="127.0.0.1", port=ils.port, timeout_s=5, login_user=LOGIN_USER,
                                            login_password=LOGIN_PASSWORD))

            def exchange() -> None:
                client.ask(lambda: messages.patron_information(institution=INSTITUTION, patron=CARD,
                                                               terminal_password="", now=datetime.now()),
                           expect="64")

            exchange()
            samples["sip2_exchange"] = [_timed(exchange) for _ in range(RUNS)]
            client.close()
        finally:
            database.stop()
            if sip2 is not None:
                sip2.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    for name, values in samples.items():
        results[f"{name}_ms"] = _median_ms(values)
        results[f"{name}_p90_ms"] = _p90_ms(values)
    results["sip2_minus_database_ms"] = round(results["sip2_ms"] - results["database_ms"], 2)
    print(f"expiry check, {RUNS} each, interleaved: database {results['database_ms']:.2f} ms median "
          f"(p90 {results['database_p90_ms']:.2f}); SIP2 via pysip2 {results['sip2_ms']:.2f} ms "
          f"(p90 {results['sip2_p90_ms']:.2f}): {results['sip2_minus_database_ms']:+.2f} ms")
    print(f"  SIP2 exchange alone (63 -> 64, pooled connection) {results['sip2_exchange_ms']:.2f} ms "
          f"(p90 {results['sip2_exchange_p90_ms']:.2f}); baseline GET /health {results['health_ms']:.2f} ms")
    return results


if __name__ == "__main__":
    main()

"""Ticket issuing benchmark: N concurrent simulated kiosks against the real server process, on SQLite
and on PostgreSQL, against a bare FastAPI hello endpoint served the same way in the same run.

    python -m bench.ticket_bench

Each kiosk is one keep-alive connection sending POST /v1/tickets exactly as kiosk.api sends it:
the JSON body `requests` would send, HMAC-signed headers (protocol.signing, fresh nonce each time),
and a new Idempotency-Key per ticket. The baseline is `def hello()` in a bare FastAPI app under
`uvicorn.run(app, host, port, log_level)`, the call `python -m server serve` makes; both servers are
one process, and the load generator shares the machine with them (loopback only); PostgreSQL is also run
with two server processes accepting from one socket ("postgresql_2w"). Duplicates are
counted twice: the same number answered for two tickets of one service and day, and rows sharing
(service, day, seq) in the database (the unique constraint should make that impossible).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from fastapi import FastAPI

from protocol import signing

REPO_ROOT = Path(__file__).resolve().parent.parent
KIOSK_COUNTS = (1, 10, 50)
WARMUP_S = 0.5
MEASURE_S = float(os.environ.get("TICKET_BENCH_SECONDS", "4"))
SERVICES = ("registration", "mynumber", "other")
ALWAYS_OPEN = {
    "SERVER_COUNTER_HOURS_WEEKDAY": '["00:00", "24:00"]',
    "SERVER_COUNTER_HOURS_WEEKEND": '["00:00", "24:00"]',
    "SERVER_CLOSED_WEEKDAYS": "[]",
    "SERVER_CLOSED_DATES": "[]",
}

hello_app = FastAPI()


@hello_app.get("/hello")
def hello() -> dict:
    """The baseline: the framework's bare hello endpoint."""
    return {"hello": "world"}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Target:
    """A server process under test."""

    name: str
    process: subprocess.Popen
    port: int
    database_url: str | None = None
    kiosks: list[tuple[str, str]] = field(default_factory=list)
    more_processes: list[subprocess.Popen] = field(default_factory=list)  # further workers on the same socket

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server processes have used so far (Linux /proc)."""
        total = 0
        for process in (self.process, *self.more_processes):
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """SIGTERM, then kill if it hangs."""
        for process in (self.process, *self.more_processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # a shared socket accepts before the app runs
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 60 s")


def start_hello() -> Target:
    """The bare FastAPI app under the same uvicorn call as `python -m server serve`."""
    port = _free_port()
    code = ("import uvicorn; from bench.ticket_bench import hello_app; "
            f"uvicorn.run(hello_app, host='127.0.0.1', port={port}, log_level='warning')")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    _wait_healthy(process, f"http://127.0.0.1:{port}/hello")
    return Target("hello", process, port)


def start_ticket_server(name: str, database_url: str, kiosk_count: int, workers: int = 1) -> Target:
    """`python -m server serve` (migrates on start), counter always open, with `kiosk_count` kiosks.
    With workers > 1, that many server processes accept from one listening socket (SERVER_LISTEN_FD),
    as a supervisor runs them: each is a whole server sharing nothing but the database."""
    from server.auth.kiosk import create_kiosk
    from server.db import make_engine, make_session_factory, transaction, upgrade

    upgrade(database_url=database_url)
    engine = make_engine(database_url)
    kiosks = [(f"bench-kiosk-{n:02d}", secrets.token_urlsafe(24)) for n in range(kiosk_count)]
    with transaction(make_session_factory(engine)) as session:
        for kiosk_id, secret in kiosks:
            create_kiosk(session=session, kiosk_id=kiosk_id, secret=secret, now=datetime.now(UTC))
    engine.dispose()
    if workers > 1:
        return _start_workers(name, database_url, kiosks, workers)
    port = _free_port()
    env = {**os.environ, **ALWAYS_OPEN, "SERVER_HOST": "127.0.0.1", "SERVER_PORT": str(port),
           "SERVER_DATABASE_URL": database_url, "SERVER_LOG_LEVEL": "warning"}
    env.pop("SERVER_LISTEN_FD", None)
    process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL)
    _wait_healthy(process, f"http://127.0.0.1:{port}/health")
    return Target(name, process, port, database_url, kiosks)


def _start_workers(name: str, database_url: str, kiosks: list[tuple[str, str]], workers: int) -> Target:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    env = {**os.environ, **ALWAYS_OPEN, "SERVER_LISTEN_FD": str(listener.fileno()),
           "SERVER_DATABASE_URL": database_url, "SERVER_LOG_LEVEL": "warning"}
    processes = [subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=REPO_ROOT, env=env,
                                  stdout=subprocess.DEVNULL, pass_fds=(listener.fileno(),))
                 for _ in range(workers)]
    listener.close()  # each worker holds its own copy
    for process in processes:
        _wait_healthy(process, f"http://127.0.0.1:{port}/health")
    # /health answers as soon as one worker accepts; give the others the same start-up time.
    time.sleep(3)
    return Target(name, processes[0], port, database_url, kiosks, more_processes=processes[1:])


# -- the load ---------------------------------------------------------------------------------------
def _ticket_request(kiosk_id: str, secret: str, service: str) -> bytes:
    """POST /v1/tickets as kiosk.api.KioskApiClient.issue_ticket sends it."""
    body = json.dumps({"service": service}).encode()  # what requests' json= sends
    headers = signing.signed_headers(kiosk_id=kiosk_id, secret=secret, method="POST",
                                     path_with_query="/v1/tickets", body=body)
    headers.update({"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json",
                    "Accept": "application/json", "Content-Length": str(len(body))})
    head = "POST /v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "\r\n").encode() + body


_HELLO = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


@dataclass
class Run:
    """What one load phase measured."""

    answered: int = 0  # every answer, warm-up included (the server's CPU is counted over the whole phase)
    done: int = 0
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    tickets: list[tuple[str, str, str]] = field(default_factory=list)  # (ticket_id, number, day)


async def _kiosk(port: int, make_request, run: Run, start: float, stop: float, index: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        n = 0
        while (now := time.perf_counter()) < stop:
            request = make_request(index, n)
            n += 1
            sent = time.perf_counter()
            writer.write(request)
            status, body = await _read_response(reader)
            finished = time.perf_counter()
            run.answered += 1
            if sent < start:
                continue  # warm-up
            if finished > stop:
                break
            if status in (200, 201):
                run.done += 1
                run.latencies.append(finished - sent)
                if status == 201:
                    answer = json.loads(body)
                    run.tickets.append((answer["ticket_id"], answer["number"], answer["issued_at"][:10]))
            else:
                run.errors[status] += 1
            del now
    finally:
        writer.close()


async def _phase(port: int, kiosks: int, make_request) -> tuple[Run, float]:
    run = Run()
    start = time.perf_counter() + WARMUP_S
    stop = start + MEASURE_S
    await asyncio.gather(*(_kiosk(port, make_request, run, start, stop, i) for i in range(kiosks)))
    return run, MEASURE_S


def _measured_phase(target: Target, kiosks: int, make_request) -> dict:
    """One phase's figures, with the server's CPU time per answer: unlike rates and latencies, that
    hardly depends on what else the shared machine is doing, so it shows the work each request costs."""
    cpu_before = target.cpu_seconds()
    run, seconds = asyncio.run(_phase(target.port, kiosks, make_request))
    figures = _figures(run, seconds)
    figures["server_cpu_ms"] = round((target.cpu_seconds() - cpu_before) * 1000 / max(1, run.answered), 2)
    figures["tickets"] = run.tickets
    return figures


def _figures(run: Run, seconds: float) -> dict:
    latencies = sorted(run.latencies) or [float("nan")]
    p99_index = min(len(latencies) - 1, int(0.99 * len(latencies)))
    return {
        "per_s": round(run.done / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[p99_index] * 1000, 2),
        "errors": dict(run.errors),
    }


def _duplicates_in_answers(tickets: list[tuple[str, str, str]]) -> int:
    """Numbers answered for two different tickets of the same service and day."""
    by_number: dict[tuple[str, str], set[str]] = {}
    for ticket_id, number, day in tickets:
        by_number.setdefault((number, day), set()).add(ticket_id)
    return sum(len(ids) - 1 for ids in by_number.values())


def _duplicates_in_database(database_url: str) -> tuple[int, int]:
    """(rows sharing service, day and number; tickets stored)."""
    from sqlalchemy import func, select

    from server.db import make_engine
    from server.tickets.models import Ticket

    engine = make_engine(database_url)
    with engine.connect() as connection:
        groups = (select(func.count().label("n")).select_from(Ticket)
                  .group_by(Ticket.service, Ticket.day, Ticket.seq).subquery())
        extra = connection.execute(select(func.coalesce(func.sum(groups.c.n - 1), 0))).scalar_one()
        stored = connection.execute(select(func.count()).select_from(Ticket)).scalar_one()
        connection.rollback()
    engine.dispose()
    return int(extra), int(stored)


def sqlite_commit_ms(directory: Path, commits: int = 100) -> float:
    """Context for the SQLite figures: one small durable commit (WAL, synchronous FULL, as server/db.py) here."""
    import sqlite3

    connection = sqlite3.connect(directory / "fsync.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x INTEGER)")
    started = time.perf_counter()
    for n in range(commits):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?)", (n,))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return round(elapsed / commits * 1000, 2)


def main() -> dict:
    """Run every phase, print the figures, and return them."""
    from tests.support.postgres import start_postgres

    workdir = Path(tempfile.mkdtemp(prefix="ticket-bench-"))
    pg = start_postgres()
    targets: list[Target] = []
    results: dict = {"kiosks": list(KIOSK_COUNTS), "seconds_per_phase": MEASURE_S,
                     "sqlite_durable_commit_ms": sqlite_commit_ms(workdir), "load_average_1min": os.getloadavg()[0]}
    print(f"SQLite: WAL, synchronous FULL (server/db.py): one durable commit takes "
          f"{results['sqlite_durable_commit_ms']} ms on this disk; a ticket commits once.")
    print("PostgreSQL: the private test cluster of tests/support/postgres.py (fsync=off, synchronous_commit=off).")
    print(f"1-minute load average before the run: {results['load_average_1min']:.2f} (other work skews the figures)")
    try:
        hello_target = start_hello()
        targets.append(hello_target)
        for name, url in (("sqlite", f"sqlite:///{workdir / 'bench.db'}"),
                          ("postgresql", pg.create_database("ticket_bench"))):
            targets.append(start_ticket_server(name, url, max(KIOSK_COUNTS)))
        # The same PostgreSQL with two server processes (its own database, so its duplicates are its own).
        targets.append(start_ticket_server("postgresql_2w", pg.create_database("ticket_bench_2w"),
                                           max(KIOSK_COUNTS), workers=2))
        for kiosks in KIOSK_COUNTS:
            baseline = _measured_phase(hello_target, kiosks, lambda i, n: _HELLO)
            del baseline["tickets"]
            results[f"hello_{kiosks}"] = baseline
            print(f"\n{kiosks:>2} kiosks  hello baseline  {baseline['per_s']:8.1f} req/s   "
                  f"p50 {baseline['p50_ms']:6.2f} ms   p99 {baseline['p99_ms']:6.2f} ms   "
                  f"server CPU {baseline['server_cpu_ms']:.2f} ms/request")
            for target in targets[1:]:
                def make(i: int, n: int, target: Target = target) -> bytes:
                    kiosk_id, secret = target.kiosks[i]
                    return _ticket_request(kiosk_id, secret, SERVICES[(i + n) % len(SERVICES)])

                figures = _measured_phase(target, kiosks, make)
                figures["ratio_to_baseline"] = round(figures["per_s"] / baseline["per_s"], 3)
                figures["duplicates_in_answers"] = _duplicates_in_answers(figures.pop("tickets"))
                results[f"{target.name}_{kiosks}"] = figures
                print(f"{kiosks:>2} kiosks  {target.name:<14}  {figures['per_s']:8.1f} tickets/s   "
                      f"p50 {figures['p50_ms']:6.2f} ms   p99 {figures['p99_ms']:6.2f} ms   "
                      f"ratio {figures['ratio_to_baseline']:.2f}   "
                      f"server CPU {figures['server_cpu_ms']:.2f} ms/ticket   "
                      f"duplicates {figures['duplicates_in_answers']}"
                      + (f"   errors {figures['errors']}" if figures["errors"] else ""))
        print()
        for target in targets[1:]:
            extra, stored = _duplicates_in_database(target.database_url or "")
            results[f"{target.name}_database"] = {"duplicate_rows": extra, "tickets_stored": stored}
            print(f"{target.name}: {stored} tickets stored, {extra} rows sharing a (service, day, number)")
        results["duplicates_total"] = sum(
            v.get("duplicates_in_answers", 0) + v.get("duplicate_rows", 0)
            for v in results.values() if isinstance(v, dict))
        print(f"duplicates in total: {results['duplicates_total']}")
        results["load_average_1min_after"] = os.getloadavg()[0]
        print(f"1-minute load average after the run: {results['load_average_1min_after']:.2f}")
    finally:
        for target in targets:
            target.stop()
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()

"""A SIP2 client: a few pooled TCP (optionally TLS) connections, each logged in once, with timeouts.

Every exchange is one request and one answer on one connection. A connection that fails in any way is
closed, never reused; an idle one the ILS closed meanwhile is noticed on use and replaced once. An ILS
that does not answer in time, refuses the connection, or answers garbage raises IlsUnavailableError.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from server.ils.sip2 import checksum, messages
from server.ils.sip2.messages import ChecksumError, Message, MessageError

MAX_ANSWER_BYTES = 65536
Request = tuple[str, str, list[tuple[str, str]]]
# 97 Request ACS Resend: "send your last answer again"; it carries AZ but no AY.
RESEND_REQUEST = b"97AZ" + checksum.checksum(b"97AZ").encode("ascii") + b"\r"


class IlsUnavailableError(Exception):
    """The ILS could not be asked: ``reason`` is short and fit for a status page (no host, no password)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sip2Options:
    """How to reach and speak to the ILS's SIP2 service."""

    host: str
    port: int
    timeout_s: float
    pool_size: int = 2
    tls: bool = False
    tls_ca_file: str = ""  # empty: the system's CAs
    tls_server_name: str = ""  # empty: host
    login_user: str = ""  # empty: no 93 Login (the ILS lets this terminal in without one)
    login_password: str = ""
    location_code: str = ""
    encoding: str = "utf-8"
    checksums: bool = True  # send AY/AZ and insist the answers carry a valid one


class _Connection:
    """One socket to the ILS, with its read buffer and its own sequence numbers."""

    def __init__(self, sock: socket.socket, options: Sip2Options) -> None:
        self.sock = sock
        self.options = options
        self.sequence = 0
        self.buffer = b""

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def exchange(self, request: Request) -> Message:
        """Send one request, read its answer; resend once on 96, ask a resend (97) once on a bad checksum."""
        command, fixed, fields = request
        sequence = self.sequence if self.options.checksums else None
        self.sequence = (self.sequence + 1) % 10
        frame = messages.encode(command, fixed, fields, sequence=sequence, encoding=self.options.encoding)
        self._send(frame)
        for attempt in range(2):
            try:
                answer = messages.parse(self._read_frame(), encoding=self.options.encoding)
            except ChecksumError:
                if attempt:
                    raise IlsUnavailableError("bad checksum") from None
                self._send(RESEND_REQUEST if self.options.checksums else b"97\r")
                continue
            except MessageError as exc:
                raise IlsUnavailableError(f"unreadable answer ({exc})") from None
            if answer.command == "96" and not attempt:
                self._send(frame)
                continue
            if self.options.checksums and sequence is not None and answer.sequence not in (None, sequence):
                raise IlsUnavailableError("answer to another request")
            return answer
        raise IlsUnavailableError("the ILS could not read the request")

    def _send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _read_frame(self) -> bytes:
        """Bytes up to and including the next CR (an LF after it is left for the next read to drop)."""
        while b"\r" not in self.buffer:
            if len(self.buffer) > MAX_ANSWER_BYTES:
                raise IlsUnavailableError("answer too long")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionResetError("the ILS closed the connection")
            self.buffer += chunk
        frame, _, self.buffer = self.buffer.partition(b"\r")
        return frame.lstrip(b"\n") + b"\r"


class Sip2Client:
    """Pooled, thread-safe SIP2 exchanges with one ILS."""

    def __init__(self, options: Sip2Options, *, now: Callable[[], datetime] = datetime.now) -> None:
        self.options = options
        self.now = now
        self._idle: list[_Connection] = []
        self._open = 0
        self._lock = threading.Condition()
        self._tls_context: ssl.SSLContext | None = None
        if options.tls:
            self._tls_context = ssl.create_default_context(cafile=options.tls_ca_file or None)

    def ask(self, build: Callable[[], Request], *, expect: str) -> Message:
        """Send the request `build` makes and return the answer, which must be command `expect`."""
        for attempt in range(2):
            connection, reused = self._acquire()
            try:
                answer = connection.exchange(build())
            except IlsUnavailableError:
                self._discard(connection)
                raise
            except (OSError, ValueError) as exc:  # timeout, reset, refused, TLS failure
                self._discard(connection)
                if reused and not attempt and not isinstance(exc, TimeoutError):
                    continue  # the ILS closed an idle connection: one fresh try
                raise IlsUnavailableError(_reason(exc)) from None
            if answer.command != expect:
                self._discard(connection)
                raise IlsUnavailableError(f"answer {answer.command} where {expect} was expected")
            self._release(connection)
            return answer
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close every idle connection (those in use are closed when they come back)."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._open -= len(idle)
        for connection in idle:
            connection.close()

    # -- the pool --------------------------------------------------------------------------------------
    def _acquire(self) -> tuple[_Connection, bool]:
        deadline = time.monotonic() + self.options.timeout_s
        with self._lock:
            while not self._idle and self._open >= self.options.pool_size:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise IlsUnavailableError("every connection to the ILS is busy")
                self._lock.wait(left)
            if self._idle:
                return self._idle.pop(), True
            self._open += 1
        try:
            return self._connect(), False
        except BaseException:
            with self._lock:
                self._open -= 1
                self._lock.notify()
            raise

    def _release(self, connection: _Connection) -> None:
        with self._lock:
            self._idle.append(connection)
            self._lock.notify()

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        with self._lock:
            self._open -= 1
            self._lock.notify()

    def _connect(self) -> _Connection:
        """A new connection, logged in (93) when configured and checked online (99 → 98)."""
        options = self.options
        try:
            sock = socket.create_connection((options.host, options.port), timeout=options.timeout_s)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._tls_context is not None:
                sock = self._tls_context.wrap_socket(sock, server_hostname=options.tls_server_name or options.host)
        except (OSError, ValueError) as exc:
            raise IlsUnavailableError(_reason(exc)) from None
        connection = _Connection(sock, options)
        try:
            if options.login_user:
                answer = connection.exchange(messages.login(user=options.login_user, password=options.login_password,
                                                            location=options.location_code))
                if answer.command != "94" or answer.fixed != "1":
                    raise IlsUnavailableError("login refused")
            status = connection.exchange(messages.sc_status())
            if status.command != "98":
                raise IlsUnavailableError(f"answer {status.command} to SC Status")
            if status.fixed[0] != "Y":
                raise IlsUnavailableError("the ILS says it is offline")
        except IlsUnavailableError:
            connection.close()
            raise
        except (OSError, ValueError) as exc:
            connection.close()
            raise IlsUnavailableError(_reason(exc)) from None
        return connection


def _reason(exc: BaseException) -> str:
    """A short, stable name for a network failure."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection closed"
    if isinstance(exc, ssl.SSLError):
        return "TLS failure"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    return type(exc).__name__

"""Stand-in ILSs for the SIP2 connector's tests: pysip2's server, and tiny hand-written ones.

- `PysipIls`: the `pysip2` package's AnyIO SIP2 server (nobody here wrote it), in a thread, answering 93,
  23 and 63 from a table of patrons. pysip2 sends only SIP2 2.00's own fields, so a patron's expiry
  rides in its screen message (AF, "EXPIRES 2027-06-15") and the server under test is configured to
  read that field: the configurable field, through an independent implementation.
- `CannedIls`: a socket server answering each CR-ended request with bytes written by hand (the fields
  pysip2 cannot send: Koha's DE, Evergreen's PA), or with nothing at all, or with a bad checksum. Its
  checksums are pysip2's (`pysip2.codec.calculate_checksum`), not the project's.

The patrons, the hand-written Koha- and Evergreen-style answers and the server settings for each ILS are here,
shared by the server's HTTP tests (tests/server/test_ils_sip2_http.py) and the kiosk's (tests/ui/).
"""

from __future__ import annotations

import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from anyio.from_thread import start_blocking_portal
from pysip2 import (
    LOGIN,
    PATRON_INFORMATION,
    PATRON_STATUS,
    LoginRequest,
    LoginResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    SIP2Server,
)
from pysip2.codec import calculate_checksum

LOGIN_USER = "kiosk-sc"
LOGIN_PASSWORD = "sc-password-7f3a"  # a test ILS's made-up password
INSTITUTION = "SAGA-PREF"


@dataclass(frozen=True)
class IlsPatron:
    """One patron of the stand-in ILS."""

    name: str
    expires: date | None = None  # None: the ILS sends no date
    charge_denied: bool = False
    lost: bool = False


# What the ILS knows, unlike the server's demo data (2000000121 is expired there: renewed this morning here;
# 2000000105 is valid there: expired yesterday here).
PATRONS = {
    "2000000121": IlsPatron("Renewed This-Morning", expires=date(2029, 3, 1)),
    "2000000113": IlsPatron("Renewal Open", expires=date(2026, 7, 1)),
    "2000000105": IlsPatron("Just Expired", expires=date(2026, 6, 14)),
    "2000000022": IlsPatron("Linked Old-Scheme", expires=date(2028, 1, 20)),
    "2000000139": IlsPatron("Charge Denied", charge_denied=True),
    "2000000048": IlsPatron("Lost Card", expires=date(2030, 1, 1), lost=True),
    "2000000030": IlsPatron("No Date Sent"),
}


def sip2_settings(port: int, **overrides: str) -> dict[str, str]:
    """Server settings (environment) for the ILS over SIP2 on 127.0.0.1:`port`, then `overrides`."""
    return {"SERVER_PATRON_SOURCE": "sip2", "SERVER_SIP2_HOST": "127.0.0.1", "SERVER_SIP2_PORT": str(port),
            "SERVER_SIP2_INSTITUTION_ID": INSTITUTION, **overrides}


# pysip2 sends only SIP2 2.00's fields: its patrons' expiry rides in the screen message (AF).
PYSIP_SETTINGS = {"SERVER_SIP2_LOGIN_USER": LOGIN_USER, "SERVER_SIP2_LOGIN_PASSWORD": LOGIN_PASSWORD,
                  "SERVER_SIP2_EXPIRY_FIELD": "AF", "SERVER_SIP2_EXPIRY_FORMAT": "EXPIRES %Y-%m-%d"}


def patron_status(patron: IlsPatron) -> str:
    """The 14-character patron status: position 0 charge privileges denied, position 4 card reported lost."""
    flags = [" "] * 14
    if patron.charge_denied:
        flags[0] = "Y"
    if patron.lost:
        flags[4] = "Y"
    return "".join(flags)


class PysipIls:
    """pysip2's SIP2Server on a free port in a thread of its own (login required, checksums as the client)."""

    def __init__(self, patrons: dict[str, IlsPatron]) -> None:
        self.patrons = patrons
        self.requests: list[str] = []  # command ids received, in order
        self.port = 0
        self._stack = ExitStack()

    def _app(self) -> SIP2Server:
        app = SIP2Server(institution_id=INSTITUTION, library_name="Saga test ILS", login_required=True,
                         encoding="utf-8")

        @app.route(LOGIN)
        def login(req: LoginRequest, ctx: object) -> LoginResponse:
            self.requests.append("93")
            ok = req.login_user_id == LOGIN_USER and req.login_password == LOGIN_PASSWORD
            return LoginResponse(ok="1" if ok else "0")

        @app.route(PATRON_INFORMATION)
        def information(req: PatronInformationRequest, ctx: object) -> PatronInformationResponse:
            self.requests.append("63")
            patron = self.patrons.get(req.patron_identifier)
            return PatronInformationResponse(
                patron_status=patron_status(patron) if patron else " " * 14, language=req.language,
                transaction_date=_now_18(), hold_items_count="0000", overdue_items_count="0000",
                charged_items_count="0000", fine_items_count="0000", recall_items_count="0000",
                unavailable_holds_count="0000", institution_id=req.institution_id,
                patron_identifier=req.patron_identifier, personal_name=patron.name if patron else "",
                valid_patron="Y" if patron else "N", screen_message=_screen(patron),
            )

        @app.route(PATRON_STATUS)
        def status(req: PatronStatusRequest, ctx: object) -> PatronStatusResponse:
            self.requests.append("23")
            patron = self.patrons.get(req.patron_identifier)
            return PatronStatusResponse(
                patron_status=patron_status(patron) if patron else " " * 14, language=req.language,
                transaction_date=_now_18(), institution_id=req.institution_id,
                patron_identifier=req.patron_identifier, personal_name=patron.name if patron else "",
                valid_patron="Y" if patron else "N", screen_message=_screen(patron),
            )

        return app

    def __enter__(self) -> PysipIls:
        # An event loop in a thread of its own, serving until __exit__.
        portal = self._stack.enter_context(start_blocking_portal())
        self.port = self._stack.enter_context(portal.wrap_async_context_manager(self._app().start("127.0.0.1", 0)))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _now_18() -> str:
    now = datetime.now()
    return now.strftime("%Y%m%d") + "    " + now.strftime("%H%M%S")


def _screen(patron: IlsPatron | None) -> tuple[str, ...]:
    if patron is None or patron.expires is None:
        return ()
    return (f"EXPIRES {patron.expires:%Y-%m-%d}",)


# -- hand-written answers ---------------------------------------------------------------------------
_SEQUENCE = re.compile(rb"AY(\d)AZ[0-9A-F]{4}\r?$")


def trailer(body: bytes, request: bytes, *, end: bytes = b"\r") -> bytes:
    """`body` with the request's sequence number and a checksum by pysip2's codec, then `end`."""
    found = _SEQUENCE.search(request)
    prefix = body + (b"AY" + found[1] + b"AZ" if found else b"AZ")
    return prefix + calculate_checksum(prefix).encode("ascii") + end


def acs_status(request: bytes) -> bytes:
    """A 98 ACS Status written by hand: online, protocol 2.00."""
    return trailer(b"98YYYYNN030003" + _now_18().encode() + b"2.00AO" + INSTITUTION.encode() + b"|BXYYYYYYYYYYYYNNYY|",
                   request)


Responder = Callable[[bytes], bytes | None]


class CannedIls:
    """A socket server answering each request with `respond(request)` (None: no answer at all)."""

    def __init__(self, respond: Responder, *, tls: ssl.SSLContext | None = None) -> None:
        self.respond = respond
        self.tls = tls  # a server-side context: each connection is TLS
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._closing = False
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="canned-ils", daemon=True)

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            if self.tls is not None:
                conn.settimeout(30)
                conn = self.tls.wrap_socket(conn, server_side=True)
                conn.settimeout(None)
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buffer += chunk
                while b"\r" in buffer:
                    frame, _, buffer = buffer.partition(b"\r")
                    self.requests.append(frame + b"\r")
                    answer = self.respond(frame + b"\r")
                    if answer:
                        conn.sendall(answer)
        except OSError:
            return
        finally:
            conn.close()

    def drop_connections(self) -> None:
        """Close every connection from the ILS's side (as an ILS does with idle ones)."""
        for conn in self._open:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self._open.clear()

    def __enter__(self) -> CannedIls:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (a close alone does not)
        except OSError:
            pass
        self._listener.close()
        self.drop_connections()
        self._thread.join(5)


def patron_answer(body: bytes, *, end: bytes = b"\r", echo_patron: bool = True) -> Responder:
    """Answer 99 with an ACS Status and 63 with `body` (a 64 without its trailer); nothing else is expected.

    As an ILS does, the answer names the card it was asked about: `body`'s AA is replaced by the request's
    (echo_patron=False sends `body` as it is, e.g. an answer about another card)."""

    def respond(request: bytes) -> bytes | None:
        if request.startswith(b"99"):
            return acs_status(request)
        if request.startswith(b"63"):
            answer = body
            asked = re.search(rb"\|AA([^|]*)\|", request)
            if echo_patron and asked:
                answer = re.sub(rb"AA[^|]*\|", lambda _: b"AA" + asked.group(1) + b"|", body, count=1)
            return trailer(answer, request, end=end)
        return None

    return respond


def fixed_64(status: str = " " * 14) -> bytes:
    """A 64's fixed part: patron status, language 001, transaction date, six zero counts."""
    return b"64" + status.encode() + b"001" + _now_18().encode() + b"0000" * 6


@contextmanager
def canned(respond: Responder, *, tls: ssl.SSLContext | None = None) -> Iterator[CannedIls]:
    """A CannedIls for the duration of a with block."""
    with CannedIls(respond, tls=tls) as ils:
        yield ils


# -- a Koha-style and an Evergreen-style answer, as each ILS's SIP server sends them (about 2000000121) ------
KOHA_64 = fixed_64() + (b"AO" + INSTITUTION.encode() + b"|AA2000000121|AEYamada Hanako|BLY|CQN|PA1|"
                        b"DE2027-06-15|AFGreetings from Koha.|")
KOHA_SETTINGS = {"SERVER_SIP2_EXPIRY_FIELD": "DE", "SERVER_SIP2_EXPIRY_FORMAT": "%Y-%m-%d"}  # Koha: CRLF-ended
EVERGREEN_64 = fixed_64() + (b"AO" + INSTITUTION.encode() + b"|AA2000000121|AEYamada Hanako|BLY|BHJPY|"
                             b"PA20260701    235959|PCAdult|PIAllowed|AFWelcome|")
EVERGREEN_SETTINGS = {"SERVER_SIP2_EXPIRY_FIELD": "PA", "SERVER_SIP2_EXPIRY_FORMAT": "%Y%m%d    %H%M%S"}


def silent(request: bytes) -> bytes | None:
    """An ILS that takes the connection and every request, and never answers."""
    return None

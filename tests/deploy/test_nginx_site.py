"""The nginx site the server's install script writes, run by a real nginx in front of the real server.

The script's dry run prints the site it would write (deploy/server/install.sh, step 8); this test takes
that very text, moves its listening ports off 80 and 443 (so the test needs no free privileged port),
and serves it from a private nginx prefix with a certificate made for the test. The site has three
names: the kiosks' API, the public queue host and the staff host, which answers only the networks given
to the script (here 127.0.0.1; a client bound to 127.0.0.2 is outside them). Through it: TLS, the
redirect from plain HTTP, a signed kiosk request, the URLs the API builds saying https, a forged
X-Forwarded-For replaced, the body limit, unbuffered server-sent events, each host serving only its own
routes, and the four security headers exactly once on every answer, nginx's own included.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.adapters import HTTPAdapter

from protocol import signing
from server.api.security_headers import SECURITY_HEADERS  # pinned to literal values in its own test
from tests.deploy.test_proxy_headers import ALWAYS_OPEN
from tests.support.ports import free_port, wait_listening
from tests.support.server_proc import REPO_ROOT, ServerProcess, start_server

SCRIPT = REPO_ROOT / "deploy" / "server" / "install.sh"
KIOSK, QUEUE, STAFF = "kiosk.localhost", "queue.localhost", "staff.localhost"
STAFF_NETWORK = "127.0.0.1"  # the staff host's allow-list in this test
OUTSIDE = "127.0.0.2"  # a loopback address outside it: the same machine, another client address
# Staff pages and their assets, and the API document: on the staff host only.
STAFF_PAGES = ("/counter", "/fleet", "/stats", "/docs", "/openapi.json", "/web/counter.js", "/web/staff.js",
               "/fleet/fleet.js")


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the site's names (the library's own, or Let's Encrypt's, in service)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in ("localhost", KIOSK, QUEUE, STAFF)]
                                                       + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _site_from_dry_run(tmp_path: Path, cert: Path, key: Path, api_port: int) -> str:
    """The site text the install script would write, as its dry run prints it."""
    site = tmp_path / "sites-available-saga"
    done = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", "--source", str(REPO_ROOT), "--kiosk-host", KIOSK, "--queue-host", QUEUE,
         "--staff-host", STAFF, "--staff-allow", STAFF_NETWORK, "--tls-cert", str(cert), "--tls-key", str(key),
         "--instances", str(api_port)],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SAGA_SERVER_PREFIX": str(tmp_path / "opt"),
             "SAGA_SERVER_ETC": str(tmp_path / "etc"), "SAGA_SERVER_NGINX_SITE": str(site)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"+ write {site} "))
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("    | ") and line != "    |":
            break
        body.append(line[6:])
    assert body, done.stdout
    return "\n".join(body) + "\n"


class _From(HTTPAdapter):
    """Connections from a chosen local address (127.0.0.2 is a client outside the staff networks)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, source_address=(self.source, 0), **kwargs)


def _assert_security_headers(response: requests.Response) -> None:
    """The four headers, each exactly once with the server's value (a second copy would be a second line)."""
    for name, value in SECURITY_HEADERS.items():
        assert response.raw.headers.getlist(name) == [value], (response.url, name)


@dataclass
class Proxy:
    https: str
    http: str
    cert: Path
    server: ServerProcess | None
    sessions: dict[str, requests.Session] = field(default_factory=dict)

    def call(self, method: str, host: str, path: str, *, source: str = "127.0.0.1", plain: bool = False,
             **kwargs: Any) -> requests.Response:
        """A request to ``host`` (by its Host header; every name is this one nginx) from ``source``; every
        answer is checked for the security headers."""
        session = self.sessions.get(source)
        if session is None:
            session = self.sessions[source] = requests.Session()
            session.mount("https://", _From(source))
            session.mount("http://", _From(source))
        headers = {"Host": host, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 10)
        response = session.request(method, (self.http if plain else self.https) + path, headers=headers,
                                   verify=str(self.cert), allow_redirects=False, **kwargs)
        _assert_security_headers(response)
        return response


@contextmanager
def _nginx(tmp_path: Path, api_port: int, server: ServerProcess | None) -> Iterator[Proxy]:
    """A private nginx serving the install script's site in front of ``api_port``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by scripts/bootstrap.sh test"
    cert, key = _certificate(tmp_path)
    site = _site_from_dry_run(tmp_path, cert, key, api_port)
    https_port, http_port = free_port(), free_port()
    # Only the listening addresses change: the test may not take 80 and 443, nor listen on [::].
    site = re.sub(r"^\s*listen \[::\]:\d+.*\n", "", site, flags=re.M)
    site = re.sub(r"^(\s*)listen 443\b", rf"\1listen 127.0.0.1:{https_port}", site, flags=re.M)
    site = re.sub(r"^(\s*)listen 80\b", rf"\1listen 127.0.0.1:{http_port}", site, flags=re.M)
    assert f"server 127.0.0.1:{api_port} " in site and str(cert) in site and "listen 80" not in site
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "saga.conf").write_text(site)
    conf = prefix / "nginx.conf"
    conf.write_text(f"""
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    include {prefix}/saga.conf;
}}
""")
    checked = subprocess.run([nginx, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True,
                             timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off; master_process off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(https_port, process, timeout=15)
        wait_listening(http_port, process, timeout=15)
        running = Proxy(https=f"https://127.0.0.1:{https_port}", http=f"http://127.0.0.1:{http_port}", cert=cert,
                        server=server)
        yield running
        for session in running.sessions.values():
            session.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    server = start_server(database_url=f"sqlite:///{tmp_path / 'proxied.db'}",
                          settings={**ALWAYS_OPEN, "FORWARDED_ALLOW_IPS": "127.0.0.1",
                                    "SERVER_ENROLL_MAX_FAILURES_PER_CLIENT": "2"})
    try:
        with _nginx(tmp_path, int(server.base_url.rsplit(":", 1)[1]), server) as running:
            yield running
    finally:
        server.stop()


def _signed_ticket(proxy: Proxy, headers: dict[str, str] | None = None) -> requests.Response:
    assert proxy.server is not None
    path = "/v1/tickets"
    body = json.dumps({"service": "mynumber"}).encode()
    signed = signing.signed_headers(kiosk_id=proxy.server.kiosk_id, secret=proxy.server.kiosk_secret,
                                    method="POST", path_with_query=path, body=body)
    return proxy.call("POST", KIOSK, path, data=body,
                      headers={**signed, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex,
                               **(headers or {})})


def _staff_token(proxy: Proxy) -> str:
    assert proxy.server is not None
    signed_in = proxy.call("POST", STAFF, "/v1/staff/sessions",
                           json={"staff_id": proxy.server.staff_id, "pin": proxy.server.staff_pin})
    assert signed_in.status_code == 201, signed_in.text
    return signed_in.json()["token"]


def _first_event(response: requests.Response, event: bytes) -> bytes:
    """The stream up to its first whole ``event``: a buffering proxy would hold it back until the timeout."""
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    first = b""
    for chunk in response.iter_content(chunk_size=None):
        first += chunk
        if b"event: " + event in first and first.endswith(b"\n\n"):
            break
    return first


def test_the_installed_site_serves_the_api_over_tls_and_redirects_plain_http(proxy: Proxy) -> None:
    health = proxy.call("GET", KIOSK, "/health")
    assert health.ok
    assert health.raw.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]
    for host in (KIOSK, QUEUE, STAFF):
        plain = proxy.call("GET", host, "/health", plain=True)
        assert plain.status_code == 301 and plain.headers["Location"] == f"https://{host}/health"
    with pytest.raises(requests.exceptions.SSLError):  # a client that checks certificates trusts only the right one
        requests.get(proxy.https + "/health", headers={"Host": KIOSK}, timeout=10)


def test_a_name_that_is_none_of_the_three_gets_nothing(proxy: Proxy) -> None:
    for host in ("127.0.0.1", "other.localhost"):
        assert proxy.call("GET", host, "/health").status_code == 404
        assert proxy.call("GET", host, "/counter").status_code == 404
        assert proxy.call("GET", host, "/health", plain=True).status_code == 404


def test_a_signed_kiosk_request_through_the_proxy_gets_https_urls(proxy: Proxy) -> None:
    issued = _signed_ticket(proxy)
    assert issued.status_code == 201, issued.text
    assert issued.json()["status_url"].startswith(f"https://{KIOSK}/t/")


def test_a_client_cannot_choose_its_address_with_a_forged_forwarded_for(proxy: Proxy) -> None:
    """The enrollment rate limit counts per client address (2 failures here). nginx sets X-Forwarded-For
    to the address it sees: each guess claiming another address still counts against the same client."""
    def guess(forged: str) -> int:
        return proxy.call("POST", KIOSK, "/v1/kiosk/enroll", json={"code": "WRONG-CODE"},
                          headers={"X-Forwarded-For": forged}).status_code

    assert [guess("203.0.113.1"), guess("203.0.113.2")] == [401, 401]
    assert guess("203.0.113.3") == 429


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxy: Proxy) -> None:
    big = b"{" + b" " * (65 * 1024) + b"}"
    refused = proxy.call("POST", KIOSK, "/v1/tickets", data=big, headers={"Content-Type": "application/json"})
    assert refused.status_code == 413
    assert "nginx" in refused.text  # nginx's own page: the API never saw it


def test_live_pages_stream_through_the_proxy_without_buffering(proxy: Proxy) -> None:
    # The stream stays open: a buffering proxy would hold its first small event back, and the read would
    # end in the timeout instead.
    for host in (QUEUE, STAFF):
        with proxy.call("GET", host, "/v1/lobby/events", stream=True) as stream:
            assert b"event: board" in _first_event(stream, b"board")


def test_the_public_queue_host_serves_a_ticket_and_the_lobby_but_nothing_of_the_staff(proxy: Proxy) -> None:
    issued = _signed_ticket(proxy)
    assert issued.status_code == 201, issued.text
    token = issued.json()["status_url"].rsplit("/t/", 1)[1]
    # What the phone opens from the QR code: the page, its assets, its data and its live updates.
    page = proxy.call("GET", QUEUE, f"/t/{token}")
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    for asset in re.findall(r'(?:src|href)="(/web/[^"]+)"', page.text):
        assert proxy.call("GET", QUEUE, asset).status_code == 200, asset
    status = proxy.call("GET", QUEUE, f"/v1/tickets/status/{token}")
    assert status.status_code == 200 and status.json()["number"] == issued.json()["number"]
    with proxy.call("GET", QUEUE, f"/v1/tickets/status/{token}/events", stream=True) as stream:
        assert b"event: status" in _first_event(stream, b"status")
    lobby = proxy.call("GET", QUEUE, "/lobby")
    assert lobby.status_code == 200
    for asset in re.findall(r'(?:src|href)="(/web/[^"]+)"', lobby.text):
        assert proxy.call("GET", QUEUE, asset).status_code == 200, asset
    # Nothing of the staff side: pages, the API document, sign-in and the staff API (with a real token).
    token_header = {"Authorization": f"Bearer {_staff_token(proxy)}"}
    for path in STAFF_PAGES:
        assert proxy.call("GET", QUEUE, path).status_code in (403, 404), path
    assert proxy.server is not None
    sign_in = {"staff_id": proxy.server.staff_id, "pin": proxy.server.staff_pin}
    assert proxy.call("POST", QUEUE, "/v1/staff/sessions", json=sign_in).status_code in (403, 404)
    for path in ("/v1/staff/audit", "/v1/counter/tickets", "/v1/stats", "/v1/fleet/kiosks", "/v1/events"):
        assert proxy.call("GET", QUEUE, path, headers=token_header).status_code in (403, 404), path
    # Nor the kiosks' API.
    assert proxy.call("GET", QUEUE, "/v1/tickets/services").status_code == 404
    assert proxy.call("POST", QUEUE, "/v1/kiosk/enroll", json={"code": "WRONG-CODE"}).status_code in (403, 404)


def test_the_lobby_displays_spoken_call_is_on_the_queue_host(proxy: Proxy) -> None:
    issued = _signed_ticket(proxy)
    assert issued.status_code == 201, issued.text
    staff = {"Authorization": f"Bearer {_staff_token(proxy)}"}
    called = proxy.call("POST", STAFF, "/v1/counter/calls", headers=staff, json={"service": "mynumber", "counter": "3"})
    assert called.status_code == 200, called.text
    # What the display reads: its event stream on the queue host.
    with proxy.call("GET", QUEUE, "/v1/lobby/events", stream=True) as stream:
        event = _first_event(stream, b"board").decode()
    board = json.loads(next(line[6:] for line in event.splitlines() if line.startswith("data: ")))
    audio = board["calling"][0]["audio"]
    assert board["calling"][0]["number"] == issued.json()["number"]
    # Synthesis takes a second or two of CPU, more on a busy machine.
    spoken = proxy.call("GET", QUEUE, audio, timeout=120)
    assert spoken.status_code == 200, spoken.text
    assert spoken.headers["Content-Type"] == "audio/wav" and spoken.content[:4] == b"RIFF"
    # Not on the kiosks' host; and a key the board does not show is nothing to speak.
    assert proxy.call("GET", KIOSK, audio).status_code == 404
    unknown = proxy.call("GET", QUEUE, "/v1/lobby/calls/" + "0" * 24 + "/audio")
    assert unknown.status_code == 404 and _from_the_server(unknown)


def test_the_kiosk_host_serves_the_kiosks_only(proxy: Proxy) -> None:
    token_header = {"Authorization": f"Bearer {_staff_token(proxy)}"}
    for path in (*STAFF_PAGES, "/lobby", "/t/abc"):
        assert proxy.call("GET", KIOSK, path).status_code == 404, path
    assert proxy.call("POST", KIOSK, "/v1/staff/sessions", json={"staff_id": "x", "pin": "1234"}).status_code == 404
    for path in ("/v1/staff/audit", "/v1/counter/tickets", "/v1/stats", "/v1/events", "/v1/tickets/status/abc"):
        assert proxy.call("GET", KIOSK, path, headers=token_header).status_code == 404, path


def test_the_staff_host_serves_the_staff_networks_only(proxy: Proxy) -> None:
    token = _staff_token(proxy)  # signed in from 127.0.0.1, inside the allow-list
    for path in STAFF_PAGES:
        assert proxy.call("GET", STAFF, path).status_code == 200, path
    audit = proxy.call("GET", STAFF, "/v1/staff/audit", headers={"Authorization": f"Bearer {token}"})
    assert audit.status_code == 200 and any(entry["action"] == "staff.login" for entry in audit.json())
    # The same requests from an address outside the staff networks: refused by nginx, token or not.
    assert proxy.server is not None
    refused = proxy.call("POST", STAFF, "/v1/staff/sessions", source=OUTSIDE,
                         json={"staff_id": proxy.server.staff_id, "pin": proxy.server.staff_pin})
    assert refused.status_code == 403 and "nginx" in refused.text
    for path in (*STAFF_PAGES, "/v1/staff/audit"):
        assert proxy.call("GET", STAFF, path, source=OUTSIDE,
                          headers={"Authorization": f"Bearer {token}"}).status_code == 403, path
    # That client still reaches the public hosts (the refusal is the allow-list, not the address).
    assert proxy.call("GET", QUEUE, "/lobby", source=OUTSIDE).status_code == 200
    assert proxy.call("GET", KIOSK, "/health", source=OUTSIDE).status_code == 200


# The routes that need neither a kiosk's signature nor a staff token, and the public host each is on (the
# staff host passes every route). One not listed here is on the staff host only, as the site does for a
# route it does not know.
OPEN_ROUTES = {"/health": KIOSK, "/health/clock": KIOSK, "/v1/kiosk/enroll": KIOSK, "/t/{token}": QUEUE,
               "/lobby": QUEUE, "/v1/lobby/events": QUEUE, "/v1/tickets/status/{token}": QUEUE,
               "/v1/tickets/status/{token}/events": QUEUE, "/v1/lobby/calls/{key}/audio": QUEUE}


def _server_routes() -> Iterator[tuple[str, str, str]]:
    """(method, path, side) of every route of the server's app: "kiosk" when it checks a kiosk's
    signature, "staff" when it wants a staff token, else "open"."""
    from fastapi.routing import APIRoute

    from server.api.deps import authenticated_kiosk, current_staff
    from server.app import create_app
    from server.config import load_settings

    def flat(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            inner = getattr(route, "original_router", None)  # routers FastAPI includes lazily
            yield from flat(inner.routes) if inner is not None else (route,)

    def calls(dependant: Any) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    app = create_app(load_settings(), state=object())  # only its routes are read: no database behind it
    for route in flat(app.routes):
        checks = set(calls(route.dependant)) if isinstance(route, APIRoute) else set()
        side = "kiosk" if authenticated_kiosk in checks else "staff" if current_staff in checks else "open"
        yield next(m for m in sorted(route.methods) if m != "HEAD"), route.path, side


def _from_the_server(response: requests.Response) -> bool:
    """The server answered (its JSON, a page, a stream), not nginx's own 404 or 403 page."""
    if response.headers.get("Content-Type", "").startswith("text/event-stream"):
        return True
    return "<center>nginx</center>" not in response.text


def test_every_route_of_the_server_is_on_its_own_host_only(proxy: Proxy) -> None:
    """Every route the app has (new ones too): kiosk-signed routes pass the kiosk host, staff routes and
    the staff pages neither public host, and the staff host passes all of them to the staff networks only."""
    routes = list(_server_routes())
    assert {"/v1/tickets", "/v1/staff/audit", "/counter", "/docs", "/openapi.json"} <= {p for _, p, _ in routes}
    for method, template, side in routes:
        path = re.sub(r"\{token\}", "abc", template)
        path = re.sub(r"\{[^}]+\}", "x1", path)
        body = {} if method != "GET" else None
        on = {KIOSK} if side == "kiosk" else {OPEN_ROUTES[template]} if template in OPEN_ROUTES else set()
        for host, source in ((KIOSK, "127.0.0.1"), (QUEUE, "127.0.0.1"), (STAFF, "127.0.0.1"), (STAFF, OUTSIDE)):
            with proxy.call(method, host, path, source=source, json=body, stream=True) as answer:
                passed = _from_the_server(answer)
                expected = host in on or (host == STAFF and source != OUTSIDE)
                assert passed == expected, (method, path, side, host, source, answer.status_code)
                if not passed:
                    assert answer.status_code == (403 if host == STAFF else 404), (method, path, host)


class _LoudUpstream(BaseHTTPRequestHandler):
    """An upstream that sends its own, different values of the four headers on every answer."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b"upstream"
        self.send_response(200)
        for name in SECURITY_HEADERS:
            self.send_header(name, "upstream-value")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_upstreams_own_security_headers_are_replaced_not_doubled(tmp_path: Path) -> None:
    """The server sends these headers too: nginx hides its copies and sends its own, once."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _LoudUpstream)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    try:
        with _nginx(tmp_path, upstream.server_address[1], None) as proxy:
            for host, path in ((KIOSK, "/health"), (QUEUE, "/lobby"), (STAFF, "/counter")):
                answer = proxy.call("GET", host, path)  # checks each header is there once, with nginx's value
                assert answer.status_code == 200 and answer.text == "upstream", (host, path)
    finally:
        upstream.shutdown()
        upstream.server_close()
        thread.join(timeout=10)

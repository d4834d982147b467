"""The nginx site the server's install script writes, run by a real nginx in front of the real server.

The script's dry run prints the site it would write (deploy/server/install.sh, step 8); this test takes
that very text, moves its two listening ports off 80 and 443 (so the test needs no free privileged
port), and serves it from a private nginx prefix with a certificate made for the test. Through it:
TLS, the redirect from plain HTTP, a signed kiosk request, the URLs the API builds saying https, a
forged X-Forwarded-For replaced, the body limit, and a server-sent events stream that is not buffered.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from protocol import signing
from tests.deploy.test_proxy_headers import ALWAYS_OPEN
from tests.support.ports import free_port, wait_listening
from tests.support.server_proc import REPO_ROOT, ServerProcess, start_server

SCRIPT = REPO_ROOT / "deploy" / "server" / "install.sh"
NAMES = "localhost queue.localhost"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the site's names (the library's own, or Let's Encrypt's, in service)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in NAMES.split()]
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
        ["bash", str(SCRIPT), "--dry-run", "--source", str(REPO_ROOT), "--server-name", NAMES,
         "--tls-cert", str(cert), "--tls-key", str(key), "--instances", str(api_port)],
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


@dataclass
class Proxy:
    https: str
    http: str
    cert: Path
    server: ServerProcess


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by scripts/bootstrap.sh test"
    cert, key = _certificate(tmp_path)
    server = start_server(database_url=f"sqlite:///{tmp_path / 'proxied.db'}",
                          settings={**ALWAYS_OPEN, "FORWARDED_ALLOW_IPS": "127.0.0.1",
                                    "SERVER_ENROLL_MAX_FAILURES_PER_CLIENT": "2"})
    api_port = int(server.base_url.rsplit(":", 1)[1])
    site = _site_from_dry_run(tmp_path, cert, key, api_port)
    https_port, http_port = free_port(), free_port()
    # Only the listening addresses change: the test may not take 80 and 443, nor listen on [::].
    site = re.sub(r"^\s*listen \[::\]:\d+.*\n", "", site, flags=re.M)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    assert f"server 127.0.0.1:{api_port} " in site and str(cert) in site
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
        yield Proxy(https=f"https://localhost:{https_port}", http=f"http://127.0.0.1:{http_port}", cert=cert,
                    server=server)
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.stop()


def _signed_ticket(proxy: Proxy, headers: dict[str, str] | None = None) -> requests.Response:
    path = "/v1/tickets"
    body = json.dumps({"service": "mynumber"}).encode()
    signed = signing.signed_headers(kiosk_id=proxy.server.kiosk_id, secret=proxy.server.kiosk_secret,
                                    method="POST", path_with_query=path, body=body)
    return requests.post(proxy.https + path, data=body, verify=str(proxy.cert), timeout=10,
                         headers={**signed, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex,
                                  **(headers or {})})


def test_the_installed_site_serves_the_api_over_tls_and_redirects_plain_http(proxy: Proxy) -> None:
    health = requests.get(proxy.https + "/health", verify=str(proxy.cert), timeout=10)
    assert health.ok
    assert health.headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = requests.get(proxy.http + "/health", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://127.0.0.1/health")
    with pytest.raises(requests.exceptions.SSLError):  # a client that checks certificates trusts only the right one
        requests.get(proxy.https + "/health", timeout=10)


def test_a_signed_kiosk_request_through_the_proxy_gets_https_urls(proxy: Proxy) -> None:
    issued = _signed_ticket(proxy)
    assert issued.status_code == 201, issued.text
    assert issued.json()["status_url"].startswith("https://localhost/t/")


def test_a_client_cannot_choose_its_address_with_a_forged_forwarded_for(proxy: Proxy) -> None:
    """The enrollment rate limit counts per client address (2 failures here). nginx sets X-Forwarded-For
    to the address it sees: each guess claiming another address still counts against the same client."""
    def guess(forged: str) -> int:
        return requests.post(proxy.https + "/v1/kiosk/enroll", json={"code": "WRONG-CODE"}, verify=str(proxy.cert),
                             headers={"X-Forwarded-For": forged}, timeout=10).status_code

    assert [guess("203.0.113.1"), guess("203.0.113.2")] == [401, 401]
    assert guess("203.0.113.3") == 429


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxy: Proxy) -> None:
    big = b"{" + b" " * (65 * 1024) + b"}"
    refused = requests.post(proxy.https + "/v1/tickets", data=big, verify=str(proxy.cert), timeout=10,
                            headers={"Content-Type": "application/json"})
    assert refused.status_code == 413
    assert "nginx" in refused.text  # nginx's own page: the API never saw it


def test_live_pages_stream_through_the_proxy_without_buffering(proxy: Proxy) -> None:
    # The stream stays open: a buffering proxy would hold its first small event back, and the read would
    # end in the timeout instead.
    with requests.get(proxy.https + "/v1/lobby/events", stream=True, verify=str(proxy.cert), timeout=10) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = b""
        for chunk in stream.iter_content(chunk_size=None):
            first += chunk
            if b"event: board" in first and first.endswith(b"\n\n"):
                break
    assert b"event: board" in first

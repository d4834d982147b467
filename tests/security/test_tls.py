"""HTTPS from configuration: the real server serves TLS (SERVER_SSL_CERTFILE/KEYFILE) and the kiosk client
verifies it against the CA named in its settings ([server] ca_file); any other trust fails closed."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.api import KioskApiClient, ServerUnreachableError
from kiosk.config import ConfigError
from kiosk.config import load as load_kiosk_settings
from kiosk.effects import client_from_settings
from tests.security.conftest import ALWAYS_OPEN
from tests.security.tls_certs import TlsFiles, make_tls_files
from tests.support.server_proc import REPO_ROOT


class TlsServer:
    """`python -m server serve --demo` with TLS on an inherited socket (the test helper polls plain HTTP)."""

    def __init__(self, tmp: Path, tls: TlsFiles) -> None:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.base_url = f"https://127.0.0.1:{self.port}"
        self.kiosk_secret = "tls-kiosk-" + secrets.token_hex(16)
        env = {**os.environ, **ALWAYS_OPEN, "SERVER_LISTEN_FD": str(listener.fileno()),
               "SERVER_DATABASE_URL": f"sqlite:///{tmp / 'tls.db'}", "SERVER_DEMO_KIOSK_SECRET": self.kiosk_secret,
               "SERVER_LOG_LEVEL": "warning", "SERVER_SSL_CERTFILE": str(tls.cert_file),
               "SERVER_SSL_KEYFILE": str(tls.key_file)}
        self.log = tmp / "server.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "server", "serve", "--demo"], cwd=REPO_ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT,
                                            pass_fds=(listener.fileno(),))
        listener.close()
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                requests.get(self.base_url + "/health", verify=str(tls.ca_file), timeout=1)
                return
            except requests.RequestException:  # listening already, the app still starting
                assert time.monotonic() < deadline, self.log.read_text()
                time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM and wait."""
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def tls_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TlsServer, TlsFiles, TlsFiles]]:
    tmp = tmp_path_factory.mktemp("tls")
    trusted, stranger = make_tls_files(tmp, label="library"), make_tls_files(tmp, label="stranger")
    server = TlsServer(tmp, trusted)
    yield server, trusted, stranger
    server.stop()


def test_kiosk_client_talks_https_verified_against_the_configured_ca(tls_setup) -> None:  # type: ignore[no-untyped-def]
    server, trusted, _ = tls_setup
    environ = {"KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_SECRET": server.kiosk_secret,
               "KIOSK_SERVER_CA_FILE": str(trusted.ca_file)}
    settings = load_kiosk_settings(environ=environ)
    assert settings.server.ca_file == str(trusted.ca_file)
    client = client_from_settings(settings)  # the one the kiosk app and its services build
    assert client.health()["status"] == "ok"
    assert client.card_expiry("2000000105").card_number == "2000000105"  # signed, over TLS
    assert client.ticket_services().services


def test_a_server_certificate_from_another_ca_is_refused(tls_setup) -> None:  # type: ignore[no-untyped-def]
    server, _, stranger = tls_setup
    for client in (KioskApiClient(server.base_url, "kiosk-demo-01", server.kiosk_secret, ca_file=str(stranger.ca_file)),
                   # No ca_file: the system's CAs, which never signed this private CA's certificate.
                   KioskApiClient(server.base_url, "kiosk-demo-01", server.kiosk_secret)):
        with pytest.raises(ServerUnreachableError, match="CERTIFICATE_VERIFY_FAILED"):
            client.card_expiry("2000000105")


def test_plain_http_to_the_tls_port_gets_no_answer(tls_setup) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = tls_setup
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/health", timeout=5)


def test_kiosk_settings_refuse_a_missing_ca_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"server\.ca_file"):
        load_kiosk_settings(environ={"KIOSK_SERVER_CA_FILE": str(tmp_path / "missing.pem")})


def test_server_refuses_a_certificate_without_its_key(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    env = {**os.environ, "SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "SERVER_SSL_CERTFILE": str(tls.cert_file), "SERVER_SSL_KEYFILE": ""}
    result = subprocess.run([sys.executable, "-m", "server", "serve"], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "ssl_certfile and ssl_keyfile" in result.stderr

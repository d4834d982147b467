"""Every answer of the real server process carries the security headers of server/api/security_headers.py
(pages, static files, the API, its errors, the event stream, a ticket issued), on SQLite and PostgreSQL;
the API document (/docs) loads nothing from another host."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from kiosk.api import HmacAuth
from server.api.security_headers import SECURITY_HEADERS
from tests.support.server_proc import ServerProcess

# The values the nginx site sets too (its engineer keeps them identical): changing one here is deliberate.
EXPECTED = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGES = ("/counter", "/lobby", "/fleet", "/stats", "/t/no-such-ticket", "/docs")
STATIC = ("/web/common.js", "/web/common.css", "/web/staff.js", "/web/docs.js", "/fleet/fleet.js", "/fleet/fleet.css")


def assert_secured(response: requests.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.method, response.url, name)


def test_the_module_holds_exactly_the_agreed_values() -> None:
    assert SECURITY_HEADERS == EXPECTED


@pytest.mark.parametrize("path", PAGES + STATIC + ("/openapi.json", "/health", "/v1/lobby"))
def test_pages_static_files_and_api_answers_carry_the_headers(live_server: ServerProcess, path: str) -> None:
    response = requests.get(live_server.base_url + path, timeout=10)
    assert response.status_code == 200, (path, response.status_code)
    assert_secured(response)


def test_errors_streams_and_kiosk_answers_carry_the_headers(live_server: ServerProcess) -> None:
    url = live_server.base_url
    answers = [
        requests.get(url + "/no-such-page", timeout=10),  # 404 from the router
        requests.get(url + "/web/no-such-file.js", timeout=10),  # 404 from the asset route
        requests.put(url + "/health", timeout=10),  # 405
        requests.post(url + "/v1/staff/sessions", json={"staff_id": "x", "pin": "1"}, timeout=10),  # 422
        requests.post(url + "/v1/staff/sessions", json={"staff_id": f"n-{uuid.uuid4().hex[:6]}", "pin": "0000"},
                      headers={"X-Forwarded-For": "10.200.0.1"}, timeout=10),  # 401
        requests.get(url + "/v1/staff/migrations", timeout=10),  # 401 from the bearer dependency
        requests.post(url + "/v1/staff/sessions", data=b"x" * 70000, timeout=10,
                      headers={"Content-Type": "application/json"}),  # 413 from the body guard, before any route
        requests.post(url + "/v1/staff/sessions", data=b"staff_id=x", timeout=10,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}),  # 415 from the body guard
        requests.get(url + "/v1/cards/2000000105/expiry", timeout=10),  # unsigned kiosk request: 401
        requests.get(url + "/v1/cards/2000000105/expiry", auth=HmacAuth(live_server.kiosk_id,
                                                                        live_server.kiosk_secret), timeout=10),
        # A ticket issued (answered by the ticket writer, after its commit).
        requests.post(url + "/v1/tickets", json={"service": "other"},
                      auth=HmacAuth(live_server.kiosk_id, live_server.kiosk_secret),
                      headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10),
    ]
    assert [a.status_code for a in answers[:9]] == [404, 404, 405, 422, 401, 401, 413, 415, 401]
    assert answers[9].status_code == 200
    for answer in answers:
        assert_secured(answer)
    with requests.get(url + "/v1/lobby/events", stream=True, timeout=10) as stream:  # server-sent events
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        assert_secured(stream)


def test_the_api_document_loads_nothing_from_another_host(live_server: ServerProcess) -> None:
    url = live_server.base_url
    page = requests.get(url + "/docs", timeout=10).text
    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert "/web/docs.js" in references and "/openapi.json" in references
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        body = requests.get(url + reference, timeout=10)
        assert body.status_code == 200, reference
        # No absolute URL at all in what the page loads (the SVG namespace is a name, not a request).
        text = body.text.replace("http://www.w3.org/2000/svg", "")
        if reference != "/openapi.json":
            assert not re.search(r"https?://|//cdn|unpkg|jsdelivr", text), reference
    assert not re.search(r"https?://", page)
    assert requests.get(url + "/redoc", timeout=10).status_code == 404  # FastAPI's ReDoc page loads from a CDN

"""The counter completes a kiosk's renewal request with one confirmation, in headless Chromium against the real
server on SQLite and PostgreSQL: the record's and the card's address side by side, the ticket being served marked,
then the card renewed from today and the new address on record."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from kiosk.api.client import KioskApiClient
from server.seed import MOVED_FROM
from server.testpki import load_test_pki
from tests.server.test_api_migrations import sign
from tests.support.browser import click, gone, shown, text_of, until
from tests.support.postgres import PostgresServer
from tests.support.tickets import issue, kiosk_session, staff_headers, ticket_servers
from tests.web.test_pages import log_in

MOVED_CARD = "2000000071"  # different_pins in the demo data: expired, and moved since registering


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_counter_completes_a_renewal_request_in_one_click(backend: str, request: pytest.FixtureRequest,
                                                          web_sqlite_dir: Path, browsers, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    name = "renew_" + uuid.uuid4().hex[:8]
    if backend == "sqlite":
        url = f"sqlite:///{web_sqlite_dir / (name + '.db')}"
    else:
        pg: PostgresServer = request.getfixturevalue("web_pg")
        url = pg.create_database(name)
    persona = load_test_pki().personas["different_pins"]
    with ticket_servers(url) as (server,):
        client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=15)
        # As the kiosk does it: the card signs a challenge (利用者証明用 PIN), the proof goes with compare and request.
        challenge = client.migration_challenge()
        proof = client.renewal_proof(card_number=MOVED_CARD, challenge_id=challenge.challenge_id,
                                     certificate_der=persona.cert_der,
                                     signature=sign(persona.private_key, challenge.challenge))
        facts = (persona.name, persona.address, persona.birth_date)
        client.renewal_compare(MOVED_CARD, *facts, proof=proof)
        sent = client.renewal_request(MOVED_CARD, *facts, proof=proof, idempotency_key=str(uuid.uuid4()))
        row = f'#renewals li[data-reference="{sent.reference_code}"]'
        kiosk = kiosk_session(server)
        issue(kiosk, server, "registration", reason="renewal_request", reference=sent.reference_code)

        console = browsers(1400, 900)
        console.get(server.base_url + "/counter")
        log_in(console, server, server.staff_pin)
        shown(console, row)
        text = console.find_element(By.CSS_SELECTOR, row).text
        assert f"登録 On record: {MOVED_FROM}" in text and f"カード Card: {persona.address}" in text
        assert persona.name in text and "期限切れ" in text
        click(console, '.queue-card[data-service="registration"] button.call-next')
        shown(console, row + ".serving")  # the ticket just called carries this request's reference
        assert sent.reference_code in text_of(console, "current-detail")
        console.save_screenshot(str(artifacts / f"counter-renewal-{backend}.png"))

        click(console, row + " button.good")
        gone(console, row)
        patron = requests.get(f"{server.base_url}/v1/staff/patrons/{MOVED_CARD}", headers=staff_headers(server),
                              timeout=10).json()
        assert patron["expiry"]["status"] == "valid" and patron["registered_on"] == patron["expiry"]["today"]
        assert patron["address"] == persona.address
        # The new expiry date to tell the patron, on the console.
        valid_until = patron["expiry"]["valid_until"]
        assert valid_until == persona.birth_date.replace(year=int(patron["registered_on"][:4]) + 3).isoformat()
        until(console, lambda d: f"有効期限 {valid_until}" in text_of(d, "renewal-done"), "the new expiry shown")
        assert f"Renewed until {valid_until}; address updated" in text_of(console, "renewal-done")
        console.save_screenshot(str(artifacts / f"counter-renewal-done-{backend}.png"))
        listed = requests.get(server.base_url + "/v1/staff/renewals", headers=staff_headers(server), timeout=10)
        assert listed.json() == []
        client.close()
        console.quit()  # before the server stops: an open event stream would hold its shutdown

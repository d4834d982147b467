"""The counter completes a kiosk's registration application with one confirmation, in headless Chromium against
the real server on SQLite and PostgreSQL: the card's facts and the patron's contact listed beside the renewal
requests, the ticket being served marked, then one click (with the new library card's number typed) and the
application's personal data is gone from the database."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from sqlalchemy import select

from kiosk.api.client import KioskApiClient
from protocol import cardnumber
from server.applications.models import PERSONAL, RegistrationApplication
from server.audit import AuditEntry
from server.db import make_engine
from server.testpki import load_test_pki
from tests.server.test_api_migrations import sign
from tests.support.browser import click, clickable, gone, shown, text_of, until
from tests.support.postgres import PostgresServer
from tests.support.tickets import issue, kiosk_session, staff_headers, ticket_servers
from tests.web.test_pages import log_in

NEW_CARD = cardnumber.make(3000001)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_counter_completes_a_registration_application_in_one_click(
        backend: str, request: pytest.FixtureRequest, web_sqlite_dir: Path, browsers, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    name = "register_" + uuid.uuid4().hex[:8]
    if backend == "sqlite":
        url = f"sqlite:///{web_sqlite_dir / (name + '.db')}"
    else:
        pg: PostgresServer = request.getfixturevalue("web_pg")
        url = pg.create_database(name)
    persona = load_test_pki().personas["no_old_link"]  # a card linked to no library card
    with ticket_servers(url) as (server,):
        client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=15)
        # As the kiosk does it: the card signs a challenge (利用者証明用 PIN), its 入力補助 facts go with it.
        challenge = client.migration_challenge()
        client.close()
        kiosk = kiosk_session(server)
        sent = kiosk.post(server.base_url + "/v1/registration/applications", timeout=30,
                          headers={"Idempotency-Key": str(uuid.uuid4())},
                          json={"challenge_id": challenge.challenge_id,
                                "certificate": base64.b64encode(persona.cert_der).decode(),
                                "signature": base64.b64encode(sign(persona.private_key, challenge.challenge)).decode(),
                                "name": persona.name, "address": persona.address,
                                "birth_date": persona.birth_date.isoformat(), "sex": persona.sex,
                                "phone": "090-1234-5678", "email": "sakura@example.jp"})
        assert sent.status_code == 201, sent.text
        reference = sent.json()["reference_code"]
        row = f'#applications li[data-reference="{reference}"]'
        issue(kiosk, server, "registration", reason="registration_application", reference=reference)

        console = browsers(1400, 900)
        console.get(server.base_url + "/counter")
        log_in(console, server, server.staff_pin)
        shown(console, row)
        text = console.find_element(By.CSS_SELECTOR, row).text
        for fact in (persona.name, persona.address, persona.birth_date.isoformat(), "090-1234-5678",
                     "sakura@example.jp", "女"):
            assert fact in text, fact
        click(console, '.queue-card[data-service="registration"] button.call-next')
        shown(console, row + ".serving")  # the ticket just called carries this application's reference
        assert reference in text_of(console, "current-detail")
        field = clickable(console, f"{row} input.card-number")
        field.clear()
        field.send_keys(NEW_CARD)
        # A redraw of the list (another application, another ticket) keeps what is being typed.
        until(console, lambda d: d.find_element(By.CSS_SELECTOR, f"{row} input.card-number")
              .get_attribute("value") == NEW_CARD, "the number typed")
        console.save_screenshot(str(artifacts / f"counter-registration-{backend}.png"))

        click(console, row + " button.good")
        gone(console, row)
        until(console, lambda d: NEW_CARD in text_of(d, "application-done"), "the completion shown")
        assert f"{reference}: 登録を完了しました" in text_of(console, "application-done")
        assert persona.name not in text_of(console, "application-done")
        console.save_screenshot(str(artifacts / f"counter-registration-done-{backend}.png"))
        listed = requests.get(server.base_url + "/v1/staff/registration-applications",
                              headers=staff_headers(server), timeout=10)
        assert listed.json() == []

        # In the database: the row holds no personal data; the audit row names the new card and the reference.
        engine = make_engine(server.database_url)
        try:
            with engine.connect() as connection:
                (stored,) = connection.execute(select(RegistrationApplication)).all()
                completed = connection.execute(select(AuditEntry).where(
                    AuditEntry.action == "registration.complete")).one()
        finally:
            engine.dispose()
        assert stored.status == "completed" and all(getattr(stored, column) is None for column in PERSONAL)
        assert (completed.card_number, completed.detail) == (NEW_CARD, {"reference": reference})
        console.quit()  # before the server stops: an open event stream would hold its shutdown

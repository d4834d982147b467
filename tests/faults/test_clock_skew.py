"""The kiosk's clock minutes away from the server's ([server] clock_offset_s, since tests cannot set the
system clock): inside the signature window it works; outside, a typed StaleRequestError, and the outbox waits."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import StaleRequestError
from kiosk.deliveries import outbox_from_settings
from kiosk.effects import Performer
from kiosk.flows import expiry
from kiosk.maintenance.audit import AuditTrail
from tests.faults.conftest import kiosk_settings
from tests.support.server_proc import ServerProcess

VALID_CARD = "2000000105"


def client_for(server: ServerProcess, tmp_path: Path, offset_s: float) -> KioskApiClient:
    settings = kiosk_settings(server, tmp_path, KIOSK_SERVER_CLOCK_OFFSET_S=str(offset_s))
    assert settings.server.clock_offset_s == offset_s
    s = settings.server
    return KioskApiClient(s.url, s.kiosk_id, s.secret, s.timeout_s, clock_offset_s=s.clock_offset_s)


@pytest.mark.parametrize("offset_s", [-100, 0, 100])
def test_inside_the_window_works(shared_server: ServerProcess, tmp_path: Path, offset_s: float) -> None:
    assert client_for(shared_server, tmp_path, offset_s).card_expiry(VALID_CARD).status == "valid"


@pytest.mark.parametrize("offset_s", [-300, 180])
def test_outside_the_window_is_refused_as_stale_with_a_typed_error(shared_server: ServerProcess, tmp_path: Path,
                                                                  offset_s: float) -> None:
    server = shared_server
    with pytest.raises(StaleRequestError) as refused:
        client_for(server, tmp_path, offset_s).card_expiry(VALID_CARD)
    assert refused.value.code == "stale_request" and refused.value.status == 401
    assert "時刻" in refused.value.message_ja

    # The Performer built from the same settings signs with the offset too; the patron sees a server error.
    settings = kiosk_settings(server, tmp_path, KIOSK_SERVER_CLOCK_OFFSET_S=str(offset_s))
    assert Performer(settings).perform(expiry.LookupExpiry(VALID_CARD)) == expiry.LookupFailed(
        expiry.Failure.SERVER_ERROR)

    # Staff actions wait in the outbox (not moved aside) until the clock is right again.
    outbox = outbox_from_settings(settings, client_for(server, tmp_path, offset_s))
    AuditTrail(None, outbox=outbox).record("demo-admin", "test_print")
    assert outbox.flush() == 0
    (waiting,) = outbox.pending()
    assert "StaleRequestError" in (waiting.last_error or "") and outbox.dead() == []
    fixed = outbox_from_settings(settings, client_for(server, tmp_path, 0))
    assert fixed.flush() == 1 and len(fixed) == 0

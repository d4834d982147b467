"""Patrons, linkages, kiosk auth, idempotency, staff and audit on the real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from protocol import signing
from server import audit
from server.auth.kiosk import create_kiosk, verify_request
from server.auth.staff import create_staff, log_in, staff_for_token
from server.errors import ApiError
from server.patrons.linkage import (
    MYKEY,
    OLD,
    active_linkage,
    add_old_link,
    find_active_by_certificate,
    linkage_history,
    switch_to_mykey,
)
from server.patrons.models import Linkage
from server.patrons.service import create_patron, get_patron, patron_expiry, renew_card
from server.state import AppState
from tests.server.conftest import TODAY


def test_demo_seed_creates_persona_and_expiry_patrons(state: AppState) -> None:
    with state.sessions() as session:
        normal = get_patron(session=session, card_number="2000000014")
        assert active_linkage(session=session, patron_id=normal.id).scheme == OLD
        no_link = get_patron(session=session, card_number="2000000097")
        assert active_linkage(session=session, patron_id=no_link.id) is None
        statuses = {
            number: patron_expiry(patron=get_patron(session=session, card_number=number), today=TODAY).status.value
            for number in ("2000000105", "2000000113", "2000000121")
        }
        assert statuses == {"2000000105": "valid", "2000000113": "renewable", "2000000121": "expired"}
        leap = get_patron(session=session, card_number="2000000139")
        assert (leap.birth_date.month, leap.birth_date.day) == (2, 29)
        assert patron_expiry(patron=leap, today=TODAY).valid_until == date(2027, 2, 28)


def test_seed_is_idempotent(state: AppState) -> None:
    from server.seed import seed_demo

    seed_demo(state=state)
    with state.sessions() as session:
        assert len(linkage_history(session=session, patron_id=get_patron(
            session=session, card_number="2000000014").id)) == 1


def test_malformed_and_unknown_card_numbers(state: AppState) -> None:
    with state.sessions() as session:
        for bad in ("2000000015", "200000001", "abcdefghij", "２０００００００１４", ""):
            with pytest.raises(ApiError) as info:
                get_patron(session=session, card_number=bad)
            assert info.value.code == "malformed_card_number"
        with pytest.raises(ApiError) as info:
            get_patron(session=session, card_number="3000000004")
        assert info.value.code == "unknown_patron"


def test_duplicate_card_number_is_refused_by_the_database(state: AppState) -> None:
    with state.sessions() as session, pytest.raises(IntegrityError), session.begin():
        create_patron(session=session, card_number="2000000014", name="x", birth_date=date(1990, 1, 1),
                      registered_on=TODAY, now=state.clock.now())


def test_at_most_one_active_linkage_and_history_is_kept(state: AppState) -> None:
    now = state.clock.now()
    with state.sessions() as session, session.begin():
        patron = get_patron(session=session, card_number="2000000014")
        with pytest.raises(ApiError):
            add_old_link(session=session, patron=patron, cert_serial="ABC", cert_issuer="CN=x", now=now)
        old = active_linkage(session=session, patron_id=patron.id)
        new = switch_to_mykey(session=session, old=old, mykey_id="MYKEY0001", now=now)
        assert new.scheme == MYKEY and new.active
    with state.sessions() as session:
        history = linkage_history(session=session, patron_id=patron.id)
        assert [(link.scheme, link.active, link.ended_reason) for link in history] == [
            (OLD, False, "migrated"), (MYKEY, True, None)
        ]


def test_database_rejects_a_second_active_linkage(state: AppState) -> None:
    # The partial unique index holds even if code forgot to check.
    with state.sessions() as session, pytest.raises(IntegrityError), session.begin():
        patron = get_patron(session=session, card_number="2000000014")
        session.add(Linkage(patron_id=patron.id, scheme=MYKEY, mykey_id="X", active=True,
                            created_at=state.clock.now()))
        session.flush()


def test_old_link_lookup_by_serial_and_issuer(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    cert = test_pki.personas["normal"].cert
    with state.sessions() as session:
        link = find_active_by_certificate(session=session, cert_serial=cert.serial_number,
                                          cert_issuer=cert.issuer.rfc4514_string())
        assert link is not None and link.patron.card_number == "2000000014"
        assert find_active_by_certificate(session=session, cert_serial=cert.serial_number + 1,
                                          cert_issuer=cert.issuer.rfc4514_string()) is None


def test_renewal_window_on_the_database(state: AppState) -> None:
    with state.sessions() as session, session.begin():
        with pytest.raises(ApiError) as info:
            renew_card(session=session, card_number="2000000105", today=TODAY)
        assert info.value.code == "not_yet_renewable"
        renewed = renew_card(session=session, card_number="2000000113", today=TODAY)
        assert renewed.registered_on == TODAY
        assert patron_expiry(patron=renewed, today=TODAY).valid_until.year == TODAY.year + 3
        expired = renew_card(session=session, card_number="2000000121", today=TODAY)
        assert patron_expiry(patron=expired, today=TODAY).status.value == "valid"


def _headers(secret: str, *, kiosk_id: str = "kiosk-demo-01", body: bytes = b"", now: float,
             path: str = "/v1/cards/2000000014/expiry", method: str = "GET") -> dict[str, str]:
    headers = signing.signed_headers(kiosk_id=kiosk_id, secret=secret, method=method, path_with_query=path,
                                     body=body, now=now)
    return {k.lower(): v for k, v in headers.items()}


def _verify(state: AppState, headers: dict[str, str], *, body: bytes = b"",
            path: str = "/v1/cards/2000000014/expiry", method: str = "GET"):  # type: ignore[no-untyped-def]
    with state.sessions() as session:
        return verify_request(session=session, headers=headers, method=method, path_with_query=path, body=body,
                              now=state.clock.now(), window_seconds=120)


def test_kiosk_hmac_accepts_once_and_rejects_replay(state: AppState) -> None:
    now = state.clock.now().timestamp()
    headers = _headers("test-kiosk-secret-0123456789", now=now)
    assert _verify(state, headers).kiosk_id == "kiosk-demo-01"
    with pytest.raises(ApiError) as info:
        _verify(state, headers)
    assert info.value.code == "replayed_request"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("wrong_secret", "unauthenticated"),
        ("stale", "stale_request"),
        ("future", "stale_request"),
        ("unknown_kiosk", "unknown_kiosk"),
        ("other_path", "unauthenticated"),
        ("other_body", "unauthenticated"),
        ("other_method", "unauthenticated"),
        ("missing", "unauthenticated"),
    ],
)
def test_kiosk_hmac_rejections(state: AppState, change: str, code: str) -> None:
    now = state.clock.now().timestamp()
    secret = "test-kiosk-secret-0123456789"
    headers = _headers(secret, now=now)
    kwargs: dict = {}
    if change == "wrong_secret":
        headers = _headers("another-secret-0123456789", now=now)
    elif change == "stale":
        headers = _headers(secret, now=now - 121)
    elif change == "future":
        headers = _headers(secret, now=now + 121)
    elif change == "unknown_kiosk":
        headers = _headers(secret, now=now, kiosk_id="kiosk-nobody")
    elif change == "other_path":
        kwargs["path"] = "/v1/cards/2000000022/expiry"
    elif change == "other_body":
        kwargs["body"] = b"{}"
    elif change == "other_method":
        kwargs["method"] = "POST"
    elif change == "missing":
        headers.pop("x-signature")
    with pytest.raises(ApiError) as info:
        _verify(state, headers, **kwargs)
    assert info.value.code == code


def test_revoked_kiosk_is_refused(state: AppState) -> None:
    with state.sessions() as session, session.begin():
        create_kiosk(session=session, kiosk_id="kiosk-2f", now=state.clock.now(), secret="second-kiosk-secret-0001")
    now = state.clock.now().timestamp()
    assert _verify(state, _headers("second-kiosk-secret-0001", kiosk_id="kiosk-2f", now=now)).kiosk_id == "kiosk-2f"
    with state.sessions() as session, session.begin():
        from server.auth.models import Kiosk

        session.get(Kiosk, "kiosk-2f").active = False
    with pytest.raises(ApiError) as info:
        _verify(state, _headers("second-kiosk-secret-0001", kiosk_id="kiosk-2f", now=now))
    assert info.value.code == "unknown_kiosk"


def test_staff_login_roles_and_expiry(state: AppState) -> None:
    now = state.clock.now()
    with state.sessions() as session, session.begin():
        create_staff(session=session, staff_id="sato", name="佐藤", role="counter", pin="4321", now=now)
        with pytest.raises(ValueError):
            create_staff(session=session, staff_id="bad", name="x", role="janitor", pin="4321", now=now)
    with state.sessions() as session, session.begin():
        token, member = log_in(session=session, staff_id="sato", pin="4321", now=now, minutes=10)
        assert member.role == "counter"
        assert "4321" not in member.pin_hash
        for staff_id, pin in (("sato", "0000"), ("nobody", "4321")):
            with pytest.raises(ApiError) as info:
                log_in(session=session, staff_id=staff_id, pin=pin, now=now, minutes=10)
            assert info.value.code == "bad_credentials"
    with state.sessions() as session:
        assert staff_for_token(session=session, token=token, now=now).staff_id == "sato"
        with pytest.raises(ApiError):
            staff_for_token(session=session, token=token, now=now + timedelta(minutes=11))
        with pytest.raises(ApiError):
            staff_for_token(session=session, token="forged", now=now)


def test_audit_drops_forbidden_keys_and_exports(state: AppState) -> None:
    with state.sessions() as session, session.begin():
        audit.record(session=session, at=state.clock.now(), actor_type="kiosk", actor_id="kiosk-demo-01",
                     action="test", outcome="ok", card_number="2000000014",
                     detail={"pin": "1234", "certificate": "MII...", "cert_serial": "AB"})
    with state.sessions() as session:
        entry = audit.entries(session=session, card_number="2000000014")[-1]
        assert entry.detail == {"cert_serial": "AB"}
        text = audit.export_csv(session=session)
    assert "1234" not in text and "MII" not in text and "kiosk-demo-01" in text

"""The disclosure ledger: field names only, every field listed (an unknown one too), 'not sent' derived."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk import disclosure as d

AT = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def test_unknown_fields_are_listed_under_their_own_name_never_hidden() -> None:
    ledger = d.DisclosureLedger()
    ledger.record("other", ("card_number", "favourite_colour"), AT)
    snap = ledger.snapshot()
    assert snap.fields == ("card_number", "favourite_colour")
    assert d.label_key("favourite_colour") == d.UNKNOWN_LABEL
    assert d.label_key("card_number") == "disclosure.field.card_number"


def test_the_my_number_and_pin_are_always_not_sent_and_the_address_only_until_a_renewal_sends_it() -> None:
    ledger = d.DisclosureLedger()
    ledger.record("checkup", ("challenge_id", "certificate", "signature"), AT)
    not_sent = ledger.snapshot().not_sent()
    assert not_sent[:2] == d.NEVER_SENT
    assert "disclosure.not_sent.address" in not_sent and "disclosure.not_sent.name" in not_sent
    ledger.record("renewal", ("card_number", "name", "address"), AT)
    not_sent = ledger.snapshot().not_sent()
    assert "disclosure.not_sent.address" not in not_sent and "disclosure.not_sent.name" not in not_sent
    assert "disclosure.not_sent.sex" in not_sent and not_sent[:2] == d.NEVER_SENT


def test_fields_are_listed_once_in_the_order_first_sent_and_clear_forgets_all() -> None:
    ledger = d.DisclosureLedger()
    ledger.record("challenge", (), AT)
    ledger.record("migration", ("challenge_id", "card_number", "birth_date"), AT)
    ledger.record("expiry_by_card", ("challenge_id", "certificate"), AT)
    assert ledger.snapshot().fields == ("challenge_id", "card_number", "birth_date", "certificate")
    first = ledger.snapshot().session_reference
    assert first.startswith("S-") and len(first) == 8
    ledger.clear()
    assert ledger.snapshot().sent == () and ledger.snapshot().session_reference != first

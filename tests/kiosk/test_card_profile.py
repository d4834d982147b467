"""The card profile seam: the generation told by the card's answers, PINs named and sized by the profile, the
cards the kiosk cannot use sent to the counter, and where a locked PIN is reset, in every catalogue."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kiosk import i18n, statistics
from kiosk.a11y.cues import Cue, kind
from kiosk.card.detect import detect_profile
from kiosk.card.errors import NotMyNumberCardError
from kiosk.card.jpki import JpkiSession
from kiosk.card.profile import (
    CURRENT,
    CardProfile,
    NewerCardError,
    PinNotSetError,
    PinRole,
    PinSpec,
    ResetRoute,
)
from kiosk.card.text_ap import TextApSession
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, common, expiry, renewal
from kiosk.flows import migration as mig
from kiosk.flows.guidance import blocked_keys, blocked_text, unusable_text
from virtualcard.card import AID_JPKI, AID_TEXT, NEXT_GENERATION_ATR, BinaryFile, VirtualCard
from virtualcard.fake import FakeConnection, RecordingConnection

PATTERN = r"^\d{10}$"
CARD = cs.CardFacts(b"cert", date(2030, 1, 1), auth_tries=3, text_tries=3)


def card_of(test_pki, key: str) -> VirtualCard:  # type: ignore[no-untyped-def]
    return VirtualCard.for_persona(test_pki.personas[key])


def test_todays_card_is_told_by_its_token_in_the_three_apdus_the_token_check_always_cost(test_pki) -> None:
    card = card_of(test_pki, "normal")
    card.atr = NEXT_GENERATION_ATR  # the ATR plays no part
    conn = RecordingConnection(FakeConnection(card))
    assert detect_profile(conn) is CURRENT
    assert [c[:4].hex().upper() for c in conn.commands] == ["00A4040C", "00A4020C", "00B00000"]


def test_a_token_nobody_knows_is_a_newer_card(test_pki) -> None:
    with pytest.raises(NewerCardError):
        detect_profile(FakeConnection(card_of(test_pki, "next_generation")))


@pytest.mark.parametrize("token", [b"JPKIAPICCTOKEN", b"JPKIAPGPSETOKEN", b"SOMETHINGELSE"])
def test_other_jpki_carriers_are_not_my_number_cards(test_pki, token: bytes) -> None:
    card = card_of(test_pki, "normal")
    card.files[(AID_JPKI, 0x0006)] = BinaryFile(token.ljust(0x20, b" "))
    with pytest.raises(NotMyNumberCardError) as caught:
        detect_profile(FakeConnection(card))
    assert not isinstance(caught.value, NewerCardError)


def test_a_jpki_ap_without_the_token_ef_is_a_newer_card(test_pki) -> None:
    card = card_of(test_pki, "normal")
    del card.files[(AID_JPKI, 0x0006)]
    with pytest.raises(NewerCardError):
        detect_profile(FakeConnection(card))


def test_a_card_with_the_text_ap_but_no_jpki_ap_is_a_newer_card(test_pki) -> None:
    card = card_of(test_pki, "normal")
    for ref in [ref for ref in card.files if ref[0] == AID_JPKI]:
        del card.files[ref]
    with pytest.raises(NewerCardError):
        detect_profile(FakeConnection(card))
    for ref in [ref for ref in card.files if ref[0] == AID_TEXT]:
        del card.files[ref]
    with pytest.raises(NotMyNumberCardError) as caught:
        detect_profile(FakeConnection(card))
    assert not isinstance(caught.value, NewerCardError)


def test_a_pin_never_set_is_told_by_its_answer_and_no_pin_is_sent(test_pki) -> None:
    card = card_of(test_pki, "face_auth")
    conn = FakeConnection(card)
    assert detect_profile(conn) is CURRENT  # a face-authentication card is today's card, without PINs
    jpki = JpkiSession(conn)
    jpki.read_auth_certificate()  # the certificate is there
    with pytest.raises(PinNotSetError):
        jpki.auth_pin_tries_left()
    with pytest.raises(PinNotSetError):
        TextApSession(conn).text_pin_tries_left()
    assert not any(apdu[1] == 0x20 and len(apdu) > 4 for apdu in card.history), "only tries queries"


def test_a_blocked_pin_is_not_mistaken_for_a_pin_never_set(test_pki) -> None:
    assert JpkiSession(FakeConnection(card_of(test_pki, "blocked"))).auth_pin_tries_left() == 0


# -- flows --------------------------------------------------------------------------------------------
def reading(flow_name: str):  # type: ignore[no-untyped-def]
    """A flow of each kind that has just asked the card to be read."""
    if flow_name == "migrate":
        flow = mig.MigrationFlow(PATTERN, today=lambda: date(2026, 6, 15))
        flow.state = cs.ReadingCard("2000000014")
        return flow, ("mynumber", mig.counter_ticket_for)
    if flow_name == "checkup":
        flow = checkup.CheckupFlow(today=lambda: date(2026, 6, 15))
        flow.state = cs.ReadingCard("")
        return flow, ("mynumber", checkup.counter_ticket_for)
    if flow_name == "expiry":
        flow = expiry.ExpiryFlow(PATTERN, today=lambda: date(2026, 6, 15))
        flow.state = cs.ReadingCard("")
        return flow, ("mynumber", expiry.counter_ticket_for)
    flow = renewal.RenewalFlow(PATTERN, today=lambda: date(2026, 6, 15))
    flow.state = cs.ReadingCard("2000000071")
    return flow, ("registration", renewal.counter_ticket_for)


@pytest.mark.parametrize("reason", list(cs.Unusable))
@pytest.mark.parametrize("flow_name", ["migrate", "checkup", "expiry", "renewal"])
def test_a_card_the_kiosk_cannot_use_ends_at_the_counter_with_a_reason_code(flow_name: str,
                                                                             reason: cs.Unusable) -> None:
    flow, (service, offer) = reading(flow_name)
    card_number = flow.state.card_number
    assert flow.handle(cs.CardNotUsable(reason)) == []
    assert flow.state == cs.CardUnusable(card_number, reason), "a result, not 'place the card again'"
    assert offer(flow.state) == (service, f"card_{reason}", None)
    assert kind(flow.state) is Cue.WARNING, "a way on (the counter), not a failure to try again"
    outcome = statistics.outcome_of(flow_name, flow.state)
    assert outcome is not None and (outcome.outcome, outcome.reason) == ("counter", f"card_{reason}")
    for language in i18n.languages():
        assert not i18n.missing_keys([f"ticket.reason.card_{reason}", f"card.unusable.{reason}.title",
                                      f"card.unusable.{reason}.body"], language)
        title, body = unusable_text(flow.state, language)
        assert title != body and "{" not in body


# Words every catalogue uses for each way to reset a PIN.
SEVEN_ELEVEN = {"ja": "セブン‐イレブン", "ja-easy": "セブン‐イレブン", "en": "Seven-Eleven", "zh": "7-Eleven",
                "ko": "세븐일레븐"}
CITY_OFFICE = {"ja": "市区町村の窓口", "ja-easy": "やくしょ", "en": "city or town office", "zh": "市区町村政府窗口",
               "ko": "시구정촌 창구"}
SIGN_PASSWORD = {"ja": "署名用", "ja-easy": "署名用", "en": "signature certificate password", "zh": "署名用",
                 "ko": "서명용"}


def test_every_language_is_checked() -> None:
    assert set(SEVEN_ELEVEN) == set(CITY_OFFICE) == set(i18n.languages())


@pytest.mark.parametrize("language", sorted(SEVEN_ELEVEN))
def test_a_blocked_pin_names_the_ways_to_reset_that_pin(language: str) -> None:
    auth = cs.PinBlocked("2000000014", cs.PinStep.AUTH)
    text = cs.PinBlocked("2000000014", cs.PinStep.TEXT)
    assert auth.reset_routes == (ResetRoute.CITY_OFFICE, ResetRoute.SEVEN_ELEVEN)
    assert text.reset_routes == (ResetRoute.CITY_OFFICE,)
    assert cs.PinBlocked("", cs.PinStep.SHARED).reset_routes == auth.reset_routes
    _, auth_body = blocked_text(auth, language)
    _, text_body = blocked_text(text, language)
    # The 利用者証明用 PIN: the city office, or the Seven-Eleven with the JPKI reset app and the 署名用 password.
    assert CITY_OFFICE[language] in auth_body and SEVEN_ELEVEN[language] in auth_body
    assert "JPKI暗証番号リセット" in auth_body and SIGN_PASSWORD[language] in auth_body
    # The 入力補助 PIN: the city office only.
    assert CITY_OFFICE[language] in text_body and SEVEN_ELEVEN[language] not in text_body
    assert "JPKI" not in text_body
    assert blocked_keys(text)[1] == ("migrate.result.blocked.body.text", "pin.reset.city_office")


def test_no_catalogue_says_any_more_that_only_the_city_office_resets_a_pin() -> None:
    for language, only in {"ja": "でしか", "ja-easy": "でしか", "en": "only be reset", "zh": "只有",
                           "ko": "에서만"}.items():
        assert only not in i18n.translate("lasttry.body", language), language


@pytest.mark.parametrize("language", sorted(SEVEN_ELEVEN))
def test_certificate_renewal_says_where_and_that_only_a_mykey_link_carries_over(language: str) -> None:
    mykey = {"ja": "マイキーID", "ja-easy": "マイキーID", "en": "MyKey", "zh": "MyKey", "ko": "마이키"}[language]
    for key in ("migrate.result.cert_expired.body", "checkup.next.renew_certificate"):
        body = i18n.translate(key, language, date="-")
        assert CITY_OFFICE[language] in body or "やくば" in body, (key, body)
        assert mykey in body, (key, body)


def test_the_pad_asks_for_as_many_digits_as_the_profile_says() -> None:
    six = CardProfile("test-6", (PinSpec(PinRole.AUTH, 6, 3, (ResetRoute.CITY_OFFICE,)),
                                 PinSpec(PinRole.TEXT, 4, 3, (ResetRoute.CITY_OFFICE,))))
    flow = checkup.CheckupFlow(today=lambda: date(2026, 6, 15), new_key=lambda: "k")
    flow.state = cs.EnteringPin("", replace(CARD, profile=six), cs.PinStep.AUTH)
    assert (flow.state.length, flow.state.title_key) == (6, "pin.title.auth")
    for digit in "1234":
        flow.handle(common.Digit(digit))
    flow.handle(common.Submit())
    assert flow.state.too_short, "four digits are not a six-digit PIN"
    for digit in "56789":
        flow.handle(common.Digit(digit))  # the seventh is ignored
    (effect,) = flow.handle(common.Submit())
    assert bytes(effect.auth_pin.take()) == b"123456"
    today = cs.EnteringPin("", CARD, cs.PinStep.TEXT)
    assert (today.length, today.title_key) == (4, "pin.title.text")

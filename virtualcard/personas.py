"""The test patrons: who they are and how their cards behave. Invented people, never real data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class PersonaSpec:
    """What a persona is, before keys and certificates are made for it."""

    key: str
    person_id: str
    library_card: str | None
    has_old_link: bool
    auth_pin: str
    text_pin: str
    auth_tries: int
    text_tries: int
    name: str
    address: str
    birth_date: dt.date
    sex: str
    fake_my_number: str  # 12 digits that no kiosk code may ever read (see tests/card/test_card_privacy.py)
    ca_generation: int = 2023
    kind: str = "mynumber"
    cert_validity: str = "valid"  # 'valid', 'expired' or 'renewed' (newer than the person's first certificate)
    pull_out_after_chunks: int | None = None
    revoked: bool = False
    # The 署名用 side of the JPKI AP, which the kiosk never touches: OpenSC and other readers need it.
    sign_password: str = "ABC123"  # noqa: S105 - made up; 6-16 letters (upper case) and digits
    sign_tries: int = 5


@dataclass(frozen=True)
class SigningSide:
    """The 署名用電子証明書 of a card: password, tries left, key and certificate (with name and address)."""

    password: str
    tries: int
    cert: x509.Certificate
    cert_der: bytes
    private_key: rsa.RSAPrivateKey
    issuer_cert: x509.Certificate

    def __repr__(self) -> str:
        return "SigningSide(<redacted>)"


@dataclass(frozen=True)
class Persona:
    """A persona with its generated key and certificate, as tests and the virtual card use it."""

    key: str
    person_id: str
    library_card: str | None
    has_old_link: bool
    auth_pin: str
    text_pin: str
    auth_tries: int
    text_tries: int
    cert: x509.Certificate
    cert_der: bytes
    private_key: rsa.RSAPrivateKey
    issuer_cert: x509.Certificate
    name: str
    address: str
    birth_date: dt.date
    sex: str
    kind: str
    pull_out_after_chunks: int | None
    revoked: bool
    fake_my_number: str
    ca_generation: int
    signing: SigningSide

    def __repr__(self) -> str:
        return f"Persona({self.key!r})"



MAX_TRIES = 3  # 利用者証明用 PIN and 入力補助 PIN
SIGN_MAX_TRIES = 5  # 署名用 password (OpenSC jpki.h JPKI_SIGN_PIN_MAX_TRIES)

SPECS: tuple[PersonaSpec, ...] = (
    PersonaSpec("normal", "TESTP-000001", "2000000014", True, "1234", "1234", 3, 3,
                "鍋島 一郎", "佐賀県佐賀市松原一丁目2番3号", dt.date(1980, 4, 1), "1", "900000000011",
                ca_generation=2015),
    PersonaSpec("wrong_then_right", "TESTP-000002", "2000000022", True, "2468", "2468", 3, 3,
                "大隈 直子", "佐賀県唐津市南城内9番9号", dt.date(1992, 11, 23), "2", "900000000022",
                ca_generation=2015),
    PersonaSpec("one_try_left", "TESTP-000003", "2000000030", True, "1357", "1357", 1, 3,
                "江藤 新", "佐賀県鳥栖市本通町三丁目8番1号", dt.date(1975, 2, 14), "1", "900000000033",
                ca_generation=2015),
    PersonaSpec("blocked", "TESTP-000004", "2000000048", True, "9999", "9999", 0, 3,
                "副島 陽子", "佐賀県伊万里市立花町七丁目12番5号", dt.date(1968, 7, 7), "2", "900000000044"),
    PersonaSpec("expired_cert", "TESTP-000005", "2000000055", True, "1111", "1111", 3, 3,
                "中野 正", "佐賀県武雄市武雄町大字昭和45番6号", dt.date(1955, 9, 30), "1", "900000000055",
                ca_generation=2015, cert_validity="expired"),
    PersonaSpec("revoked_cert", "TESTP-000006", "2000000063", True, "2222", "2222", 3, 3,
                "山口 美咲", "佐賀県小城市三日月町長神田2100番地", dt.date(2001, 3, 3), "2", "900000000066",
                revoked=True),
    PersonaSpec("different_pins", "TESTP-000007", "2000000071", True, "1234", "5678", 3, 3,
                "石井 悠", "佐賀県神埼市神埼町本堀3200番地1", dt.date(1988, 12, 31), "9", "900000000077",
                ca_generation=2015),
    PersonaSpec("pulled_out", "TESTP-000008", "2000000089", True, "3333", "3333", 3, 3,
                "古賀 健太", "佐賀県多久市北多久町大字小侍88番地", dt.date(1999, 6, 15), "1", "900000000088",
                pull_out_after_chunks=2),
    PersonaSpec("no_old_link", "TESTP-000009", "2000000097", False, "4444", "4444", 3, 3,
                "松尾 さくら", "佐賀県嬉野市嬉野町大字下宿甲1500番地", dt.date(2005, 4, 10), "2", "900000000099",
                ca_generation=2015),
    # The same person as `normal`, after the certificate was renewed at the city office.
    PersonaSpec("renewed", "TESTP-000001", "2000000014", False, "1234", "1234", 3, 3,
                "鍋島 一郎", "佐賀県佐賀市松原一丁目2番3号", dt.date(1980, 4, 1), "1", "900000000011",
                cert_validity="renewed"),
    PersonaSpec("not_mynumber", "TESTP-000010", None, False, "0000", "0000", 3, 3,
                "(My Number card ではないカード)", "-", dt.date(2000, 1, 1), "9", "000000000000",
                ca_generation=2015, kind="other"),
)

SPECS_BY_KEY: dict[str, PersonaSpec] = {spec.key: spec for spec in SPECS}

"""The JPKI application's 利用者証明用 (auth) path: token, certificate, PIN tries, VERIFY, signature."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from kiosk.card import apdu
from kiosk.card.apdu import Aid, Fid
from kiosk.card.der import MAX_CERTIFICATE_SIZE, certificate_size
from kiosk.card.errors import SW, ApduError, MalformedDataError, NotMyNumberCardError
from kiosk.card.pin import Pin
from kiosk.card.protocol import CardProtocol, Connection, as_protocol
from kiosk.card.verify import tries_left, verify_pin

if TYPE_CHECKING:
    from kiosk.card.certificate import AuthCertificate

MY_NUMBER_CARD_TOKEN = b"JPKIAPICCTOKEN2"
TOKEN_SIZE = 0x20
SIGNATURE_SIZE = 256  # RSA-2048
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def sha256_digest_info(message: bytes) -> bytes:
    """The DER DigestInfo of SHA-256(message), which the card pads and signs."""
    return SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(message).digest()


class JpkiSession:
    """The JPKI AP of a My Number card; selecting it in __init__ fails on any other card."""

    def __init__(self, transport: CardProtocol | Connection) -> None:
        self.protocol = as_protocol(transport)
        if self.protocol.current_aid != bytes(Aid.JPKI):  # already selected on this connection: no second SELECT
            self._select_ap()

    def _select_ap(self) -> None:
        try:
            self.protocol.select_application(Aid.JPKI)
        except ApduError as exc:
            # No source records what other cards answer (6A82, 6A86, 6D00...): any non-9000 means "not ours".
            raise NotMyNumberCardError(f"JPKI application not found ({exc})") from exc

    def _select(self, ef: Fid) -> None:
        if self.protocol.current_aid != bytes(Aid.JPKI):
            self._select_ap()
        self.protocol.select_file(ef)

    def read_token(self) -> bytes:
        """The token EF 0006 without its padding (e.g. b'JPKIAPICCTOKEN2')."""
        self._select(Fid.JPKI_TOKEN)
        data = self.protocol.read_binary(0, TOKEN_SIZE)
        return data.rstrip(b" \x00\xff")

    def is_my_number_card(self) -> bool:
        """True when the token says 'My Number card' (not a 住基カード or smartphone JPKI)."""
        try:
            return self.read_token() == MY_NUMBER_CARD_TOKEN
        except ApduError:
            return False

    def check_my_number_card(self) -> None:
        """Raise NotMyNumberCardError unless the token identifies a My Number card."""
        if not self.is_my_number_card():
            raise NotMyNumberCardError("the JPKI token is not that of a My Number card")

    def read_auth_certificate_der(self) -> bytes:
        """The auth certificate's DER, read in ceil(size/256) READs (one with extended length)."""
        self._select(Fid.JPKI_AUTH_CERT)
        return self.protocol.read_sized(certificate_size, MAX_CERTIFICATE_SIZE)

    def read_auth_certificate(self) -> AuthCertificate:
        """The parsed auth certificate (validity is checked by the caller with its own clock)."""
        from kiosk.card.certificate import AuthCertificate  # cryptography loads only when a card is read

        return AuthCertificate.from_der(self.read_auth_certificate_der())

    def auth_pin_tries_left(self) -> int:
        """Remaining tries of the 4-digit auth PIN (0 when blocked)."""
        self._select(Fid.JPKI_AUTH_PIN)
        return tries_left(self.protocol, Fid.JPKI_AUTH_PIN)

    def verify_auth_pin(self, pin: Pin, *, last_try_confirmed: bool = False) -> None:
        """VERIFY the auth PIN once, under the never-lock rules (see kiosk.card.verify)."""
        self._select(Fid.JPKI_AUTH_PIN)
        verify_pin(self.protocol, Fid.JPKI_AUTH_PIN, pin, last_try_confirmed=last_try_confirmed)

    def sign_auth(self, digest_info: bytes) -> bytes:
        """Sign a DER DigestInfo with the auth key (the card adds PKCS#1 v1.5 padding); needs VERIFY first."""
        if not 0 < len(digest_info) <= 0xFF:
            raise ValueError("DigestInfo must be 1..255 bytes")
        self._select(Fid.JPKI_AUTH_KEY)
        command = apdu.encode(
            apdu.CLA_PROPRIETARY,
            apdu.INS_COMPUTE_SIGNATURE,
            0x00,
            apdu.P2_SIGN_WITH_CURRENT_EF,
            digest_info,
            le=apdu.SHORT_MAX_LE,
        )
        data, sw = self.protocol.transmit(command)
        if sw != SW.OK:
            raise ApduError(data, sw)
        if len(data) != SIGNATURE_SIZE:
            raise MalformedDataError(f"signature of {len(data)} bytes, expected {SIGNATURE_SIZE}")
        return data

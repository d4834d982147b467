"""Which card generation is on the reader, from what the card answers (never from the ATR).

Today's card: the JPKI AP selects and its token EF 0006 reads ``JPKIAPICCTOKEN2``. That is the same three
APDUs the token check always cost (SELECT AP, SELECT EF, READ BINARY), so a good read is no longer.

A card is "a newer My Number card" (NewerCardError) when it answers like one but not like today's:
- the JPKI AP selects but EF 0006 is absent, or holds a JPKI token nobody has described (not the My Number
  card's, nor the 住基カード's ``JPKIAPICCTOKEN``, nor the smartphone's ``JPKIAPGPSETOKEN``);
- the JPKI AP does not select, but the 券面事項入力補助AP does.
Anything else (no JPKI AP and no 入力補助AP, a 住基カード) is not a My Number card (NotMyNumberCardError).
"""

from __future__ import annotations

from kiosk.card.errors import ApduError, NotMyNumberCardError
from kiosk.card.jpki import MY_NUMBER_CARD_TOKEN, JpkiSession
from kiosk.card.profile import CURRENT, CardProfile, NewerCardError
from kiosk.card.protocol import CardProtocol, Connection, as_protocol
from kiosk.card.text_ap import TextApSession

JPKI_TOKEN_PREFIX = b"JPKIAP"
# Tokens of JPKI carriers that are not My Number cards (jpki/myna CheckCard; ../shared/reference/jpki-apdu.md).
OTHER_JPKI_TOKENS = frozenset({b"JPKIAPICCTOKEN", b"JPKIAPGPSETOKEN"})


def detect_profile(transport: CardProtocol | Connection) -> CardProfile:
    """The profile of the card on the reader; raises NewerCardError or NotMyNumberCardError."""
    protocol = as_protocol(transport)
    try:
        jpki = JpkiSession(protocol)
    except NotMyNumberCardError:
        try:
            TextApSession(protocol)
        except NotMyNumberCardError:
            raise NotMyNumberCardError("neither the JPKI AP nor the 入力補助AP answers") from None
        raise NewerCardError("the 入力補助AP answers but the JPKI AP does not") from None
    try:
        token = jpki.read_token()
    except ApduError as exc:
        raise NewerCardError(f"the JPKI AP has no token EF ({exc})") from None
    if token == MY_NUMBER_CARD_TOKEN:
        return CURRENT
    if token in OTHER_JPKI_TOKENS or not token.startswith(JPKI_TOKEN_PREFIX):
        raise NotMyNumberCardError("the JPKI token is not that of a My Number card")
    raise NewerCardError("the JPKI token is of a card generation this kiosk does not know")

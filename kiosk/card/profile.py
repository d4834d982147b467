"""Card profiles: which PINs a card generation has, what they are called, how long they are, how a locked one
is reset; and the errors for My Number cards the kiosk cannot use.

The generation is told by what the card answers (kiosk.card.detect), never by the ATR: contactless readers
build their own ATR, and OpenSC's jpki driver also falls back on SELECT. Today's card (issued since 2016:
利用者証明用 and 券面事項入力補助 PINs of 4 digits) is the one profile implemented. The next-generation
card (announced for after FY2028: two applications, two PINs, a 6-digit 照合番号, a PUK, a new key
algorithm) has no public command set yet; until it does, it is recognised as "newer" and sent to the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.card.errors import CardError


class PinRole(StrEnum):
    """What a PIN unlocks; the value names its message keys (``pin.title.<role>``)."""

    AUTH = "auth"  # 利用者証明用電子証明書: VERIFY before the signature
    TEXT = "text"  # 券面事項入力補助: VERIFY before name, address and birth date


class ResetRoute(StrEnum):
    """Where a locked PIN is reset; the value names its message key (``pin.reset.<route>``)."""

    CITY_OFFICE = "city_office"  # 市区町村の窓口, with the card and an ID
    # Since 2024: book with J-LIS's JPKI暗証番号リセット app, then finish at a セブン‐イレブン multicopy machine;
    # needs the 署名用 password (docs/card-interop.md names the sources).
    SEVEN_ELEVEN = "seven_eleven"


@dataclass(frozen=True)
class PinSpec:
    """One PIN of a card generation."""

    role: PinRole
    length: int
    max_tries: int
    reset_routes: tuple[ResetRoute, ...]

    @property
    def label_key(self) -> str:
        """The message key of the PIN's name on the pad."""
        return f"pin.title.{self.role}"


@dataclass(frozen=True)
class CardProfile:
    """A card generation as the flows see it."""

    generation: str
    pins: tuple[PinSpec, ...]

    def has_pin(self, role: PinRole | str) -> bool:
        """Whether this generation has a PIN for ``role``."""
        return any(p.role == role for p in self.pins)

    def pin(self, role: PinRole | str) -> PinSpec:
        """The PIN for ``role`` (KeyError when this generation has none)."""
        for spec in self.pins:
            if spec.role == role:
                return spec
        raise KeyError(f"{self.generation} has no {role} PIN")

    def reset_routes(self, *roles: PinRole | str) -> tuple[ResetRoute, ...]:
        """Where the PINs of ``roles`` are reset: every route that serves at least one, city office first."""
        found = {route for role in roles for route in self.pin(role).reset_routes}
        return tuple(route for route in ResetRoute if route in found)


MY_NUMBER_CARD_2016 = CardProfile(
    generation="mynumber-2016",
    pins=(
        PinSpec(PinRole.AUTH, length=4, max_tries=3, reset_routes=(ResetRoute.CITY_OFFICE, ResetRoute.SEVEN_ELEVEN)),
        PinSpec(PinRole.TEXT, length=4, max_tries=3, reset_routes=(ResetRoute.CITY_OFFICE,)),
    ),
)
CURRENT = MY_NUMBER_CARD_2016

# The status word the tries query (VERIFY without data) gets from a PIN that was never set: INFERRED, no
# source describes a face-authentication-only card's answer. ISO 7816-4 gives 6A88 ("reference data not
# found") for a VERIFY whose reference data does not exist; 63C0 and 6984 stay "blocked" (docs/card-interop.md).
PIN_NOT_SET_SW = frozenset({0x6A88})


class UnsupportedCardError(CardError):
    """A My Number card the kiosk cannot use: the patron is sent to the counter, not asked to try again."""


class NewerCardError(UnsupportedCardError):
    """The card answers like a My Number card, but not like any generation this kiosk knows."""


class PinNotSetError(UnsupportedCardError):
    """The PIN was never set: a face-authentication-only card (顔認証マイナンバーカード, issued since 2023-12)."""

"""The (title, body) of a card stop on a flow's own result screen: the certificate expired, the card cannot be
used here, or a PIN is blocked (the flow adds its own next line: where to go instead)."""

from __future__ import annotations

from kiosk import i18n
from kiosk.flows.card_steps import CardUnusable, CertificateExpired, PinBlocked
from kiosk.flows.guidance import blocked_text, unusable_text
from screens.dates import long_date


def card_stop_text(state: CertificateExpired | CardUnusable | PinBlocked, language: str) -> tuple[str, str]:
    """(title, body) of ``state`` in ``language``."""
    if isinstance(state, CertificateExpired):
        return (i18n.translate("migrate.result.cert_expired.title", language),
                i18n.translate("migrate.result.cert_expired.body", language,
                               date=long_date(state.not_after, language)))
    if isinstance(state, CardUnusable):
        return unusable_text(state, language)
    return blocked_text(state, language)

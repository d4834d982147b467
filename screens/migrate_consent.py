"""Migration, step 2: what will be read and sent, and what never is; consent by one tap."""

from __future__ import annotations

from kiosk.flows import migration as flow
from screens.base import KioskScreen


class MigrateConsentScreen(KioskScreen):
    """The privacy notice before any card is read."""

    def render(self, state: flow.Consent) -> None:
        """Nothing changes on this screen."""

    def agree(self) -> None:
        """The patron consents."""
        self.app.send(flow.Agree())

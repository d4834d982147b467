"""Registration without the My Number card: the IDs the counter accepts (the server's list, each by its id in
the kiosk's catalogues), the 通知カード shown as not accepted, and a registration ticket in one tap."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import StringProperty

from kiosk.api.wire import AcceptedId
from kiosk.flows import registration as flow
from screens.result_screen import FlowEndScreen


class RegistrationIdsScreen(FlowEndScreen):
    """Nothing here depends on the patron; the list is the library's (config/server.toml registration_ids)."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    address_text = StringProperty("")
    not_accepted_text = StringProperty("")

    def render(self, state: flow.WhatToBring) -> None:
        """Show the server's list, or the general words when the server did not answer."""
        self._state = state
        tr, lang = self.app.tr, self.app.lang
        grid = self.ids.ids_grid
        grid.clear_widgets()
        if state.ids is None:
            grid.add_widget(Factory.KioskLabel(text=tr("registration.ids.fallback", lang)))
            self.address_text = tr("renewal.bring.no_address", lang)
            self.not_accepted_text = tr("renewal.bring.not_accepted", lang)
            return
        for item in state.ids.ids:
            grid.add_widget(Factory.KioskLabel(text="・" + self._name(item), valign="top"))
        proofs = "\n".join("・" + self._name(item) for item in state.ids.address_proofs)
        self.address_text = tr("registration.ids.address", lang, proofs=proofs) if proofs else ""
        refused = [self._name(item) for item in state.ids.not_accepted]
        self.not_accepted_text = "\n".join(tr("registration.ids.not_accepted", lang, id=name) for name in refused)

    def _name(self, item: AcceptedId) -> str:
        """The catalogue's name for the id; the library's own wording for an id the kiosk does not know."""
        key = f"registration.id.{item.id}"
        text = self.app.tr(key, self.app.lang)
        if text != key:
            return text
        return item.name_ja if self.app.lang.startswith("ja") else item.name_en

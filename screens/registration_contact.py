"""Registration application: a phone number on the large number pad, or an e-mail address on the on-screen
keyboard (lower-case letters, digits and . - _ @: what an address needs; no system keyboard on a kiosk)."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import common
from kiosk.flows import registration as flow
from screens.base import KioskScreen
from screens.numpad import NumberPad
from screens.staff_keyboard import StaffKeyboard


class RegistrationContactScreen(KioskScreen):
    """The keys go to the flow; the screen shows the text the flow holds."""

    title_text = StringProperty("")
    value_text = StringProperty("")
    hint_text = StringProperty("")

    def render(self, state: flow.EnteringContact) -> None:
        """Show the field and the keys for its kind."""
        tr, lang = self.app.tr, self.app.lang
        self.title_text = tr(f"registration.contact.{state.kind}.title", lang)
        self.hint_text = tr(f"registration.contact.{state.kind}.hint", lang)
        self.value_text = state.text
        self._keys(state.kind)

    def _keys(self, kind: flow.Contact) -> None:
        holder = self.ids.key_area
        wanted = NumberPad if kind is flow.Contact.PHONE else StaffKeyboard
        if holder.children and isinstance(holder.children[0], wanted):
            return
        holder.clear_widgets()
        keys = NumberPad() if wanted is NumberPad else _keyboard(self.app)
        keys.bind(on_key=lambda _w, key: self.key(key))
        # The row is as tall as the keys (a pad's height is known once its keys are laid out).
        keys.bind(height=lambda _w, height: setattr(holder, "height", height))
        holder.add_widget(keys)
        holder.height = keys.height

    def key(self, key: str) -> None:
        """A key of the pad or the keyboard."""
        if key == "backspace":
            self.app.send(common.Backspace())
        elif key == "clear":
            self.app.send(common.Clear())
        elif key.isdigit():
            self.app.send(common.Digit(key))
        else:
            self.app.send(flow.Key(key))

    def submit(self) -> None:
        """Use what was typed (nothing: no phone number or e-mail)."""
        self.app.send(common.Submit())


def _keyboard(app: object) -> StaffKeyboard:
    keyboard = StaffKeyboard(spacing=app.mm(1.5), size_hint=(None, None))  # type: ignore[attr-defined]
    keyboard.width = app.mm(16) * 10 + keyboard.spacing[0] * 9  # type: ignore[attr-defined]
    keyboard.bind(minimum_height=keyboard.setter("height"))
    return keyboard

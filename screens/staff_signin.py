"""Staff sign-in: checked against the kiosk's cached hashes in a worker thread (works with the server down)."""

from __future__ import annotations

import math
import threading

from kivy.clock import Clock
from kivy.properties import OptionProperty, StringProperty

from kiosk.a11y.cues import Cue
from kiosk.maintenance.signin import SignInResult
from kiosk.maintenance.signin_form import SignInForm
from screens.base import KioskScreen


class StaffSignInScreen(KioskScreen):
    """Shows the typed id, dots for the PIN, and why the last try failed; the form lives in the core."""

    step = OptionProperty("id", options=["id", "pin"])
    id_text = StringProperty("")
    dots_text = StringProperty("")
    message_text = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.form = SignInForm()

    def on_activate(self) -> None:
        self.form = SignInForm()
        self.step = "id"
        self._show()

    def on_leave(self, *args: object) -> None:
        super().on_leave(*args)
        self.form.clear_pin()

    def _show(self) -> None:
        self.id_text = self.form.staff_id or "—"
        self.dots_text = "●" * self.form.pin_length or "—"

    def id_key(self, key: str) -> None:
        """A key of the staff-id keyboard."""
        self.form.erase_id() if key == "backspace" else self.form.type_id(key)
        self._show()
        self.app.a11y.play_cue(Cue.KEY)

    def pin_key(self, key: str) -> None:
        """A key of the number pad."""
        if key == "backspace":
            self.form.erase_pin()
        elif key == "clear":
            self.form.clear_pin()
        else:
            self.form.type_pin(key)
        self._show()
        self.app.a11y.play_cue(Cue.KEY)

    def submit(self) -> None:
        """Next (to the PIN), or try the id and PIN."""
        if self.step == "id":
            if self.form.staff_id:
                self.step = "pin"
            return
        if not self.form.ready():
            return
        signin = self.app.services.maintenance.signin
        locked = signin.locked_for()
        if locked > 0:
            self.form.clear_pin()
            self._show_result(None, locked)
            return
        self.message_text = self.app.tr("staff.signin.checking", self.app.lang)
        form = self.form

        def check() -> None:
            result = form.submit(signin)  # argon2 takes a moment: never on the UI thread
            Clock.schedule_once(lambda _dt: self._show_result(result, signin.locked_for()), 0)

        threading.Thread(target=check, name="staff-signin", daemon=True).start()

    def _show_result(self, result: SignInResult | None, locked_for: float) -> None:
        self._show()
        tr, lang = self.app.tr, self.app.lang
        if result is not None and result.ok:
            self.message_text = ""
            self.app.enter_maintenance(result)
        elif locked_for > 0:
            self.message_text = tr("staff.signin.locked", lang, seconds=math.ceil(locked_for))
            self.app.a11y.play_cue(Cue.ERROR)
        else:
            self.message_text = tr("staff.signin.wrong", lang, tries=result.tries_left if result else 0)
            self.app.a11y.play_cue(Cue.ERROR)

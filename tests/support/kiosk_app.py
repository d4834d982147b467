"""Start the real kiosk app (main.py) as a process and drive it through its test driver socket.

Tests wait on the kiosk's state, never on time: ``wait_for`` polls the state until a condition holds, and
``tap`` waits until a patron's tap would reach the widget (on the screen in front, no screen change under way,
shown and enabled) before it taps, so a tap is never lost to a screen still changing, a dialog still closing
or a button not yet enabled. Deadlines are generous (a busy 2-core CI machine is 5-10x slower than a quiet
one; TEST_WAIT_S) and a wait ends at once when the kiosk process has exited.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.support.ports import free_port
from tests.support.waiting import WAIT_S  # a timeout a test gives the kiosk is a floor, not a cap

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
# Staff screens are used standing (the staff keyboard needs the screen's height): no reach check.
STAFF_SCREENS = ("staff_", "maintenance_")


class KioskProcess:
    """The kiosk app in its own process, with a client for its test driver."""

    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py")],
            cwd=ROOT,
            env={**env, "KIOSK_TEST_DRIVER_PORT": str(self.port), "KIVY_NO_ARGS": "1"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._stream = self._connect()

    def _connect(self, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kiosk exited with {self.proc.returncode}; log: {self.log_path}")
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                return sock.makefile("rwb")
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"kiosk test driver did not answer; log: {self.log_path}") from None
                time.sleep(0.1)

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        """Send one driver command; raise if the kiosk reports an error or has exited."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"kiosk exited with {self.proc.returncode}; log: {self.log_path}")
        self._stream.write(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        self._stream.flush()
        line = self._stream.readline()
        if not line:
            raise RuntimeError(f"kiosk closed the driver connection; log: {self.log_path}")
        reply = json.loads(line)
        if not reply.pop("ok"):
            raise RuntimeError(reply["error"])
        return reply

    def state(self) -> dict[str, Any]:
        """Current screen, language and visible texts."""
        return self.call("state")

    def tap(self, widget_id: str, timeout: float = WAIT_S) -> list[float]:
        """Tap the widget with this kv id once a patron's tap would reach it; returns where (window coordinates)."""
        return self._tap_when_ready(f"a tap on {widget_id}", timeout, "tap", id=widget_id)["at"]

    def tap_text(self, text: str, timeout: float = WAIT_S) -> list[float]:
        """Tap the button labelled ``text`` (a key of the staff keyboard) once a patron's tap would reach it."""
        return self._tap_when_ready(f"a tap on {text!r}", timeout, "tap_text", text=text)["at"]

    def tap_now(self, widget_id: str) -> list[str]:
        """Tap where the widget is, ready or not (a hidden or disabled button that must not react); returns the
        widgets that took the touch (a button that reacts takes it), which is all a tap does at once."""
        return self.call("tap", id=widget_id)["taken_by"]

    def _tap_when_ready(self, what: str, timeout: float, cmd: str, **args: Any) -> dict[str, Any]:
        deadline = time.monotonic() + max(timeout, WAIT_S)
        while True:
            reply = self.call(cmd, ready=True, **args)
            if reply["tapped"] is not None:
                return reply
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not possible within {max(timeout, WAIT_S):.0f} s "
                                     f"({reply['waiting']}); last state: {self.state()}")
            time.sleep(0.02)

    def choose_language(self, code: str) -> dict[str, Any]:
        """The footer's language button, then ``code`` in the picker (ids as screens/language_picker.choice_id)."""
        self.tap("language")
        self.tap("lang_" + code.replace("-", "_"))
        return self.wait_for(lambda s: s["language"] == code and "LanguagePicker" not in s["modals"])

    def check_expiry_by_number(self, number: str, timeout: float = 20) -> dict[str, Any]:
        """From the attract screen: 有効期限の確認, by number, ``number`` on the pad, and the answer (or why there
        is none). Waits for the answer itself, not its screen: the result's buttons are there while it looks up."""
        from kiosk import i18n

        self.wait_screen("attract")
        self.tap("btn_expiry")
        self.wait_screen("expiry_method")
        self.tap("by_number")
        self.wait_screen("card_number")
        for digit in number:
            self.tap(f"key_{digit}")
        self.tap("submit")
        checking = i18n.translate("expiry.result.checking", "ja")
        return self.wait_for(lambda s: s["screen"] == "expiry_result" and checking not in s["texts"], timeout)

    def double_tap(self, widget_id: str) -> None:
        """Tap the widget, then at once the same spot again, whatever the first tap put there."""
        where = self.tap(widget_id)
        self.call("tap_at", at=where)

    def overflowing(self) -> list[dict[str, Any]]:
        """Labels on screen whose text does not fit their box."""
        return self.call("overflowing")["labels"]

    def small_targets(self) -> list[dict[str, Any]]:
        """Buttons on screen smaller than 15 mm at the kiosk's configured DPI."""
        return self.call("small_targets")["buttons"]

    def off_screen(self) -> list[dict[str, Any]]:
        """Labels and buttons on screen that reach past the window's left or right edge."""
        return self.call("off_screen")["widgets"]

    def out_of_reach(self) -> list[dict[str, Any]]:
        """Buttons on screen whose top edge is above the configured wheelchair reach."""
        return self.call("out_of_reach")["buttons"]

    def under_banner(self) -> list[dict[str, Any]]:
        """Visible labels, buttons and pictures of the screen under the take-your-card banner (none without it)."""
        return self.call("under_banner")["widgets"]

    def step_indicator_missing(self) -> str | None:
        """Why a patron on a step of a flow does not see the step indicator whole (None: they do, or the flow's
        state has no step): not shown, hidden, reaching past the window's edge (pushed off the top) or out of its
        screen's layout (under the take-your-card banner)."""
        steps = self.call("step_indicator")
        if not steps["stepped"]:
            return None
        if not steps["labels"] or not steps["visible"]:
            return f"no step indicator shown: {steps}"
        (x0, y0, x1, y1), (width, height) = steps["box"], steps["window"]
        if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5:
            return f"the step indicator reaches past the window's edge: {steps}"
        if steps["outside"]:
            return f"the step indicator is pushed out of its {steps['outside']} (under the banner): {steps}"
        return None

    def check_and_shoot(self, name: str) -> Path:
        """Assert no clipped text, no small touch target, nothing past the screen's edge, on a step of a flow the
        step indicator whole on screen, nothing of the screen under the take-your-card banner and (patron screens)
        every control within a wheelchair user's reach, then save a screenshot (first: a failure's screen can be
        looked at)."""
        path = self.screenshot(name)
        assert self.overflowing() == [], f"clipped text on {name}: {self.overflowing()}"
        assert self.small_targets() == [], f"touch targets under 15 mm on {name}: {self.small_targets()}"
        assert self.off_screen() == [], f"cut off at the screen's edge on {name}: {self.off_screen()}"
        assert (missing := self.step_indicator_missing()) is None, f"step indicator on {name}: {missing}"
        assert self.under_banner() == [], f"under the take-your-card banner on {name}: {self.under_banner()}"
        if not self.state()["screen"].startswith(STAFF_SCREENS):
            assert self.out_of_reach() == [], f"controls above a seated patron's reach on {name}: {self.out_of_reach()}"
        return path

    def screenshot(self, name: str) -> Path:
        """Save a screenshot under var/test-artifacts/screens/."""
        path = ARTIFACTS / "screens" / f"{name}.png"
        self.call("screenshot", path=str(path))
        return path

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = WAIT_S) -> dict[str, Any]:
        """Poll the state until ``predicate`` holds (``timeout`` is raised to WAIT_S: a floor, not a cap)."""
        deadline = time.monotonic() + max(timeout, WAIT_S)
        while True:
            state = self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {max(timeout, WAIT_S):.0f} s; last state: {state}")
            time.sleep(0.05)

    def until(self, check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
        """Poll ``check`` (another driver query, a file the kiosk writes) until it returns something true."""
        deadline = time.monotonic() + max(timeout, WAIT_S)
        while not (result := check()):
            if self.proc.poll() is not None:
                raise RuntimeError(f"kiosk exited with {self.proc.returncode} while waiting for {what}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {max(timeout, WAIT_S):.0f} s; last state: {self.state()}")
            time.sleep(0.05)
        return result

    def wait_screen(self, name: str, timeout: float = WAIT_S) -> dict[str, Any]:
        """Wait until screen ``name`` is shown, its change over (Kivy takes no touch while a screen changes)."""
        return self.wait_for(lambda s: s["screen"] == name and not s["changing"], timeout)

    def __enter__(self) -> KioskProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the app and wait for it."""
        self._stream.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def kiosk_env(display: str, kivy_home: Path, **overrides: str) -> dict[str, str]:
    """Environment for a test kiosk on ``display``: windowed at the test size, Kivy state in a temp dir."""
    env = dict(os.environ)
    env.pop("SDL_VIDEODRIVER", None)
    data = kivy_home.parent / "kiosk-data"  # service mode, staff cache, sign-in lock: per test
    env.update(
        DISPLAY=display,
        KIVY_HOME=str(kivy_home),
        KIOSK_MAINTENANCE_DATA_DIR=str(data),
        KIOSK_MAINTENANCE_STAFF_CACHE_PATH=str(data / "staff-cache.json"),
        # Per test too: what one test's kiosk queued (print marks, outcomes) is not delivered to another's server.
        KIOSK_OUTBOX_PATH=str(data / "outbox.sqlite3"),
        KIOSK_DISPLAY_FULLSCREEN="0",
        KIOSK_DISPLAY_WIDTH="1280",
        KIOSK_DISPLAY_HEIGHT="800",
    )
    env.update(overrides)
    return env

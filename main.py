"""Lobby kiosk entry point: read the settings, prepare Kivy, run the app.

    python main.py            (settings from config/kiosk.toml, KIOSK_* environment overrides)

A bad or missing setting stops here with one line naming it (exit status 2), not a traceback.
KIOSK_TEST_DRIVER_PORT (the UI tests' remote control, screens/driver.py) works only in a development checkout.
"""

from __future__ import annotations

import logging
import os
import sys

from kiosk import config


def _prepare_kivy(settings: config.KioskSettings) -> None:
    """Kivy reads these before its first import, so they are set here and nowhere else."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our command line is not Kivy's
    os.environ.setdefault("KIVY_HOME", str(config.ROOT / "var" / "kivy"))
    os.environ.setdefault("KIVY_AUDIO", "sdl2")  # cue sounds and spoken prompts through SDL2 audio
    from kivy.config import Config

    display = settings.display
    Config.set("graphics", "fullscreen", "auto" if display.fullscreen else "0")
    Config.set("graphics", "width", str(display.width))
    Config.set("graphics", "height", str(display.height))
    Config.set("graphics", "borderless", "1" if display.fullscreen else "0")
    Config.set("kivy", "exit_on_escape", "0")  # no way out by keyboard; maintenance mode exits
    Config.set("input", "mouse", "mouse,disable_multitouch")  # no red multitouch dots on right click


def _check_printer(settings: config.KioskSettings) -> None:
    """A printer setting the backend cannot use is a configuration error at start, not at the first ticket."""
    import dataclasses

    from kiosk.printer import PrinterConfigError, printer_from_config

    try:
        printer_from_config(dataclasses.asdict(settings.printer))
    except PrinterConfigError as exc:
        raise config.ConfigError(str(exc)) from None


def _driver_port() -> int | None:
    """The UI tests' driver port (KIOSK_TEST_DRIVER_PORT), if set: a port number, else a configuration error."""
    text = os.environ.get("KIOSK_TEST_DRIVER_PORT")
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise config.ConfigError(f"KIOSK_TEST_DRIVER_PORT: {text!r} is not a port number")
    return int(text)


def _test_driver_allowed() -> bool:
    """The test driver is a remote control of the screen: only a development checkout may start it. An
    installed release has no screens/driver.py (deploy/kiosk/install.sh removes it, a release tarball leaves
    it out) and is marked complete by .installed, which keeps it refused even if the file is put back."""
    return (config.ROOT / "screens" / "driver.py").is_file() and not (config.ROOT / ".installed").exists()


def main() -> int:
    """Run the kiosk until it is closed."""
    if os.environ.get("KIOSK_TEST_DRIVER_PORT") and not _test_driver_allowed():
        print("kiosk: KIOSK_TEST_DRIVER_PORT is set, but this is an installed kiosk: the UI test driver is not "
              "part of a release (unset it)", file=sys.stderr)
        return 2
    try:
        settings = config.load()
        _check_printer(settings)
        driver_port = _driver_port()
    except config.ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    _prepare_kivy(settings)

    from screens import fonts

    try:
        font = fonts.register_default_font(settings.display.fonts)
    except config.ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.getLogger(__name__).info("default font %s", font)

    from kiosk.glyphs import drawable_languages
    from screens.app import KioskApp

    app = KioskApp(settings, languages=drawable_languages(font, settings.session.languages))
    if os.environ.get("KIOSK_EXIT_AFTER_FIRST_FRAME"):
        # bench/kiosk_start_bench.py: the attract screen drawn once, then exit, to time a cold start.
        from screens.first_frame import exit_after_first_frame

        app.bind(on_start=lambda *_: exit_after_first_frame(app))
    if driver_port:
        from screens import driver

        app.bind(on_start=lambda *_: driver.start(driver_port))
    app.run()
    # 75 (RESTART_EXIT_CODE) after a restart asked for in maintenance mode: the supervisor (systemd, make run)
    # starts the app again.
    return app.exit_code


if __name__ == "__main__":
    sys.exit(main())

#!/bin/sh
# The kiosk's whole X session (xinit's client): no window manager, so no window decorations and no
# desktop to escape to; blanking and power saving off; then the app, fullscreen. When the app exits
# the session ends, xinit stops X, and systemd restarts the unit if the exit was a failure.
set -eu
xset s off          # no screen saver
xset s noblank
xset -dpms          # no display power management
# The UI test driver and the start-time benchmark hooks must never run on a kiosk.
unset KIOSK_TEST_DRIVER_PORT KIOSK_EXIT_AFTER_FIRST_FRAME
cd /opt/saga-kiosk/current
exec /opt/saga-kiosk/current/venv/bin/python main.py

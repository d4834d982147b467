#!/bin/sh
# The kiosk app's start (saga-kiosk.service): wait for the kiosk's X server, turn blanking and power
# saving off, then become the app (exec: its exit status is the unit's, so Restart=on-failure sees it).
# No window manager is started: no window decorations and no desktop to escape to.
set -eu
tries=0
until xset q >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -le 100 ] || { echo "kiosk-session: X server on $DISPLAY not reachable" >&2; exit 1; }
  sleep 0.1
done
xset s off          # no screen saver
xset s noblank
xset -dpms          # no display power management
# The UI test driver and the start-time benchmark hooks must never run on a kiosk.
unset KIOSK_TEST_DRIVER_PORT KIOSK_EXIT_AFTER_FIRST_FRAME
cd /opt/saga-kiosk/current
exec /opt/saga-kiosk/current/venv/bin/python main.py

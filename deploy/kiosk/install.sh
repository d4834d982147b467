#!/usr/bin/env bash
# Install (or update) the lobby kiosk on Debian 12: a small PC with a touch screen, a PC/SC reader and
# an ESC/POS printer. Separate from the developer's `make run`: only what a kiosk needs, no database,
# no virtual card reader, no test tools.
#
#   deploy/kiosk/install.sh [--dry-run] [--release saga-X.Y.Z.tar.gz | --source DIR]
#                           [--wheelhouse DIR] [--remove-vpcd] [--no-restart]
#   deploy/kiosk/install.sh [--dry-run] --rollback VERSION     (back to an installed release)
#
# Each release goes into its own directory /opt/saga-kiosk/releases/<version> with its own pinned
# virtualenv; /opt/saga-kiosk/current points at the running one. An update installs side by side,
# then switches the link and restarts; rollback is switching the link back (docs/operations.md).
# --dry-run prints every step and changes nothing.
set -euo pipefail

# The helpers both installers share: deploy/lib.sh, shipped beside this script's directory.
lib=$(dirname "${BASH_SOURCE[0]}")/../lib.sh
[ -r "$lib" ] || { echo "install.sh: $lib is missing: it ships with this script (docs/operations.md)" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$lib"

PREFIX=/opt/saga-kiosk
ETC=/etc/saga-kiosk
DATA=/var/lib/saga-kiosk
KIOSK_USER=kiosk

remove_vpcd=0
while [ $# -gt 0 ]; do
  case "$1" in
    --remove-vpcd) remove_vpcd=1; shift ;;
    *) release_option "$@"; shift "$taken" ;;
  esac
done

require_root
[ -z "$rollback" ] || roll_back saga-kiosk.service

find_release
announce "saga kiosk"

# 1. The virtual card reader must never sit beside a real one: its driver listens on TCP for any
#    "card" on the network. Refuse, or remove it when asked.
if installed vsmartcard-vpcd || [ -e /etc/reader.conf.d/vpcd ]; then
  if [ "$remove_vpcd" = 0 ]; then
    echo "install.sh: vsmartcard-vpcd (the virtual card reader for development) is installed; a kiosk" >&2
    echo "  has a real reader and must not have it. Re-run with --remove-vpcd to purge it." >&2
    exit 1
  fi
  step apt-get purge -y vsmartcard-vpcd
  step rm -f /etc/reader.conf.d/vpcd
fi

# 2. Debian packages: PC/SC, the GL/SDL runtime of Kivy, a bare X server (its own unit), fonts, venv.
pkgs=(
  pcscd libccid libpcsclite1                            # PC/SC daemon and the CCID reader driver
  libusb-1.0-0                                          # USB ESC/POS printers (pyusb)
  libgl1 libgl1-mesa-dri libegl1 libegl-mesa0 libmtdev1 # GL and touch input for Kivy (its wheel brings SDL2)
  libx11-6 libxext6 libxcursor1 libxi6 libxrandr2 libxss1
  xserver-xorg-core xserver-xorg-legacy xserver-xorg-input-libinput x11-xserver-utils xauth
  fonts-noto-cjk                                        # Japanese glyphs on screen and on the ticket
  python3 python3-venv
)
# pyscard has no wheel: without a wheelhouse it is built here, and the compiler is removed again.
build_pkgs=(gcc python3-dev libpcsclite-dev swig)
mapfile -t missing < <(missing_packages "${pkgs[@]}")
missing_build=()
if [ -z "$wheelhouse" ]; then mapfile -t missing_build < <(missing_packages "${build_pkgs[@]}"); fi
apt_install "${missing[@]}" "${missing_build[@]}"

# 3. The unprivileged user the app and its X server run as (no password, no login shell by password).
system_user "$KIOSK_USER" "$DATA"
# Readers and printers: pcscd serves the reader; USB/serial printers need these groups.
step usermod -a -G dialout,lp,plugdev,video,input,tty "$KIOSK_USER"
step install -d -m 0700 -o "$KIOSK_USER" -g "$KIOSK_USER" "$DATA" "$DATA/kivy" "$DATA/tickets" "$ETC"

# 4. The release, side by side with the others, and its own virtualenv with the pinned packages.
if [ -e "$target/.installed" ]; then
  echo "# release $version is installed already: only the link and the units are refreshed"
else
  begin_release
  for part in kiosk screens protocol assets main.py pyproject.toml config/kiosk.toml deploy/kiosk deploy/lib.sh; do
    step install -d -m 0755 "$target/$(dirname "$part")"
    step cp -a "$source_dir/$part" "$target/$part"
  done
  # The UI tests' remote control of the screen never goes onto a kiosk (a release tarball has it not either:
  # .gitattributes); main.py refuses KIOSK_TEST_DRIVER_PORT without it.
  step rm -rf "$target/screens/driver.py" "$target/screens/__pycache__"
  finish_release deploy/kiosk/requirements-kiosk.txt kiosk screens protocol
fi
if [ ${#missing_build[@]} -gt 0 ]; then
  step apt-get purge -y --autoremove "${missing_build[@]}"
fi

# 5. Configuration (kept across releases; the credentials come from enrollment, docs/operations.md).
install_settings deploy/kiosk/kiosk.toml "$ETC/kiosk.toml" "$KIOSK_USER"

# 6. Lockdown of the X server: no VT switching, no Ctrl+Alt+Backspace, no blanking; Xorg started by
#    the kiosk user through the setuid wrapper.
step install -d -m 0755 /etc/X11/xorg.conf.d
write_file /etc/X11/xorg.conf.d/10-saga-kiosk.conf 0644 root:root <<'XORG'
Section "ServerFlags"
    Option "DontVTSwitch" "true"
    Option "DontZap" "true"
    Option "BlankTime" "0"
    Option "StandbyTime" "0"
    Option "SuspendTime" "0"
    Option "OffTime" "0"
EndSection
XORG
write_file /etc/X11/Xwrapper.config 0644 root:root <<'WRAP'
allowed_users=anybody
needs_root_rights=yes
WRAP

# 7. Switch to this release and start it at boot; first synthesise the audio guidance's prompts, as the
#    kiosk user into its data directory, so that no patron's first prompt waits on the synthesiser.
switch_to "$target"
step runuser -u "$KIOSK_USER" -- env KIOSK_CONFIG="$ETC/kiosk.toml" "$target/venv/bin/python" -m kiosk.a11y.speech
install_units deploy/kiosk saga-kiosk-x.service saga-kiosk.service
step systemctl disable --now getty@tty7.service
step systemctl enable pcscd.socket saga-kiosk.service
if [ "$restart" = 1 ]; then
  step systemctl restart saga-kiosk.service
fi
echo "# done: $PREFIX/current -> $target"

#!/usr/bin/env bash
# Install (or update) the lobby kiosk on Debian 12: a small PC with a touch screen, a PC/SC reader and
# an ESC/POS printer. Separate from the developer's `make run`: only what a kiosk needs, no database,
# no virtual card reader, no test tools.
#
#   deploy/kiosk/install.sh [--dry-run] [--release saga-kiosk-X.Y.Z.tar.gz | --source DIR]
#                           [--wheelhouse DIR] [--remove-vpcd] [--no-restart]
#   deploy/kiosk/install.sh [--dry-run] --rollback VERSION     (back to an installed release)
#
# Each release goes into its own directory /opt/saga-kiosk/releases/<version> with its own pinned
# virtualenv; /opt/saga-kiosk/current points at the running one. An update installs side by side,
# then switches the link and restarts; rollback is switching the link back (docs/operations.md).
# --dry-run prints every step and changes nothing.
set -euo pipefail

PREFIX=/opt/saga-kiosk
ETC=/etc/saga-kiosk
DATA=/var/lib/saga-kiosk
KIOSK_USER=kiosk
UNIT_DIR=/etc/systemd/system

dry_run=0 release="" source_dir="" wheelhouse="" remove_vpcd=0 restart=1 rollback=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --release) release=$2; shift ;;
    --source) source_dir=$2; shift ;;
    --wheelhouse) wheelhouse=$2; shift ;;
    --remove-vpcd) remove_vpcd=1 ;;
    --no-restart) restart=0 ;;
    --rollback) rollback=$2; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# Every change goes through `step`: printed always, run only without --dry-run.
step() {
  echo "+ $*"
  if [ "$dry_run" = 0 ]; then "$@"; fi
}
# A file written from standard input (printed, with its content, in a dry run).
write_file() {  # path mode owner
  local path=$1 mode=$2 owner=$3 content
  content=$(cat)
  echo "+ write $path (mode $mode, owner $owner)"
  if [ "$dry_run" = 1 ]; then printf '%s\n' "$content" | sed 's/^/    | /'; return; fi
  printf '%s\n' "$content" > "$path.tmp"
  chmod "$mode" "$path.tmp"; chown "$owner" "$path.tmp"; mv "$path.tmp" "$path"
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ "$dry_run" = 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or with --dry-run to see the steps)" >&2; exit 1
fi

# Rollback: the previous release is still installed side by side; point `current` at it and restart.
if [ -n "$rollback" ]; then
  if [ ! -e "$PREFIX/releases/$rollback/.installed" ] && [ "$dry_run" = 0 ]; then
    echo "install.sh: release $rollback is not installed (ls $PREFIX/releases)" >&2; exit 1
  fi
  step ln -sfn "$PREFIX/releases/$rollback" "$PREFIX/current.new"
  step mv -T "$PREFIX/current.new" "$PREFIX/current"
  step systemctl restart saga-kiosk.service
  echo "# rolled back: $PREFIX/current -> $PREFIX/releases/$rollback"
  exit 0
fi

# Where the release comes from: a tarball of a tagged commit (git archive), or a source tree.
if [ -n "$release" ]; then
  staging=$(mktemp -d); trap 'rm -rf "$staging"' EXIT
  tar -xzf "$release" -C "$staging"  # read-only for the system: unpacked in a temporary directory
  source_dir=$(find "$staging" -mindepth 1 -maxdepth 1 -type d | head -1)
fi
source_dir=${source_dir:-$(cd "$(dirname "$0")/../.." && pwd)}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$source_dir/pyproject.toml" | head -1)
[ -n "$version" ] || { echo "install.sh: no version in $source_dir/pyproject.toml" >&2; exit 1; }
target=$PREFIX/releases/$version
echo "# saga kiosk $version from $source_dir into $target$([ "$dry_run" = 1 ] && echo ' (dry run: nothing is changed)')"

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
missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
missing_build=()
if [ -z "$wheelhouse" ]; then for p in "${build_pkgs[@]}"; do installed "$p" || missing_build+=("$p"); done; fi
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_build[@]} -gt 0 ]; then
  step apt-get update -qq
  step env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" "${missing_build[@]}"
fi

# 3. The unprivileged user the app and its X server run as (no password, no login shell by password).
if ! id "$KIOSK_USER" >/dev/null 2>&1; then
  step useradd --system --create-home --home-dir "$DATA" --shell /usr/sbin/nologin "$KIOSK_USER"
fi
# Readers and printers: pcscd serves the reader; USB/serial printers need these groups.
step usermod -a -G dialout,lp,plugdev,video,input,tty "$KIOSK_USER"
step install -d -m 0700 -o "$KIOSK_USER" -g "$KIOSK_USER" "$DATA" "$DATA/kivy" "$DATA/tickets" "$ETC"

# 4. The release, side by side with the others, and its own virtualenv with the pinned packages.
if [ -e "$target/.installed" ]; then
  echo "# release $version is installed already: only the link and the units are refreshed"
else
  # Left half-done by an interrupted run: start it again from nothing (cp -a would nest directories).
  if [ -e "$target" ]; then step rm -rf "$target"; fi
  step install -d -m 0755 "$target"
  for part in kiosk screens protocol assets main.py pyproject.toml config/kiosk.toml deploy/kiosk; do
    step install -d -m 0755 "$target/$(dirname "$part")"
    step cp -a "$source_dir/$part" "$target/$part"
  done
  step python3 -m venv "$target/venv"
  if [ -n "$wheelhouse" ]; then
    step "$target/venv/bin/pip" install --no-index --find-links "$wheelhouse" --no-deps \
      -r "$target/deploy/kiosk/requirements-kiosk.txt"
  else
    step "$target/venv/bin/pip" install --no-deps -r "$target/deploy/kiosk/requirements-kiosk.txt"
  fi
  step "$target/venv/bin/python" -m compileall -q "$target/kiosk" "$target/screens" "$target/protocol"
  # Owned by root whoever unpacked the source: the kiosk user can read the code, never change it.
  step chown -R root:root "$target"
  step touch "$target/.installed"
fi
if [ ${#missing_build[@]} -gt 0 ]; then
  step apt-get purge -y --autoremove "${missing_build[@]}"
fi

# 5. Configuration (kept across releases; the credentials come from enrollment, docs/operations.md).
if [ ! -e "$ETC/kiosk.toml" ]; then
  step install -m 0640 -o root -g "$KIOSK_USER" "$target/deploy/kiosk/kiosk.toml" "$ETC/kiosk.toml"
fi

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

# 7. Switch to this release and start it at boot.
step ln -sfn "$target" "$PREFIX/current.new"
step mv -T "$PREFIX/current.new" "$PREFIX/current"
for unit in saga-kiosk-x.service saga-kiosk.service; do
  step install -m 0644 "$target/deploy/kiosk/$unit" "$UNIT_DIR/$unit"
done
step systemctl daemon-reload
step systemctl disable --now getty@tty7.service
step systemctl enable pcscd.socket saga-kiosk.service
if [ "$restart" = 1 ]; then
  step systemctl restart saga-kiosk.service
fi
echo "# done: $PREFIX/current -> $target"

#!/usr/bin/env bash
# Install what `make run` / `make test` need, idempotently: Debian packages that
# are missing, then a virtualenv with the pinned Python packages.
# A second run installs nothing and takes about a second.
#   usage: scripts/bootstrap.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-run}

# What the kiosk, the virtual card and the server need at run time.
run_pkgs=(
  pcscd libpcsclite-dev swig vsmartcard-vpcd          # PC/SC daemon, pyscard build, virtual reader driver
  xvfb xauth libgl1 libgl1-mesa-dri libegl1 libegl-mesa0 # virtual display and GL for Kivy
  libx11-6 libxext6 libxcursor1 libxi6 libxrandr2 libxss1 libmtdev1
  fonts-noto-cjk                                       # Japanese glyphs for the kiosk and the printed ticket
  espeak-ng                                            # audio guidance: English and Korean speech
  postgresql                                           # production database, started privately by the tests
  age rsync                                            # encrypted backups, copied off the machine
  gcc python3-dev
)
# What only the tests need on top.
test_pkgs=(chromium chromium-driver faketime nginx)   # faketime: the kiosk clock-skew test; nginx: the site test
test_pkgs+=(opensc opensc-pkcs11)                     # OpenSC's jpki driver reads the virtual card (card interop)
test_pkgs+=(gettext)                                  # msgfmt checks the catalogues as translators' tools read them

pkgs=("${run_pkgs[@]}")
[ "$purpose" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # nginx and PostgreSQL are here for the private instances the tests start; their Debian packages would
  # also start a system nginx on port 80 and a system cluster. A policy-rc.d that refuses those two keeps
  # them stopped (unless the machine has its own policy), and on systemd they are not enabled either.
  # The production server's install (deploy/server/install.sh) enables and starts them.
  policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    # shellcheck disable=SC2016  # $1 is the policy script's own argument
    printf '#!/bin/sh\ncase "$1" in nginx|postgresql*) exit 101 ;; esac\nexit 0\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { [ "$own_policy" = 0 ] || $sudo rm -f "$policy"; exit 1; }
  [ "$own_policy" = 0 ] || $sudo rm -f "$policy"
  if [ -d /run/systemd/system ]; then
    for service in nginx postgresql; do
      if [[ " ${missing[*]} " == *" $service "* ]]; then
        $sudo systemctl disable --quiet "$service" 2>/dev/null || true
      fi
    done
  fi
fi

# The Debian package turns on a virtual reader in the system pcscd; this project
# starts its own private pcscd for the virtual card instead (see virtualcard/).

python=${PYTHON:-python3}
"$python" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing Python packages into .venv"
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install -q -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c 'import kivy, smartcard, fastapi, sqlalchemy' >/dev/null 2>&1 || { echo "bootstrap: Python packages failed to install" >&2; exit 1; }
  echo "$want" > "$stamp"
fi

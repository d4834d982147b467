# Shared by deploy/kiosk/install.sh and deploy/server/install.sh (sourced, not run): the options both take,
# dry-run steps, Debian packages, the service user, side-by-side releases and their switch and rollback.
# Each installer sets PREFIX (its /opt/saga-* directory) before it calls these. This file ships with the
# installers: in a release tarball, and copied into each installed release beside deploy/kiosk/ or
# deploy/server/ (docs/operations.md).

# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables set here are read by the installers that source this file
DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNIT_DIR=/etc/systemd/system

dry_run=0 release="" source_dir="" wheelhouse="" restart=1 rollback=""

# The options both installers take; `taken` is how many arguments the option used (for `shift`).
release_option() {
  taken=1
  case "$1" in
    --dry-run) dry_run=1 ;;
    --release) release=$2; taken=2 ;;
    --source) source_dir=$2; taken=2 ;;
    --wheelhouse) wheelhouse=$2; taken=2 ;;
    --no-restart) restart=0 ;;
    --rollback) rollback=$2; taken=2 ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;  # the script's opening comment
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
}

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

require_root() {
  if [ "$dry_run" = 0 ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (or with --dry-run to see the steps)" >&2; exit 1
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# Those of the given Debian packages that are not installed, one a line.
missing_packages() {
  local p
  for p in "$@"; do installed "$p" || echo "$p"; done
}
apt_install() {  # packages (nothing to do without any)
  [ $# -gt 0 ] || return 0
  step apt-get update -qq
  step env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# The unprivileged user a service runs as: no password, no login shell.
system_user() {  # name home
  if ! id "$1" >/dev/null 2>&1; then
    step useradd --system --create-home --home-dir "$2" --shell /usr/sbin/nologin "$1"
  fi
}

# Point `current` at a release, atomically (a new link renamed over the old one).
switch_to() {  # release directory
  step ln -sfn "$1" "$PREFIX/current.new"
  step mv -T "$PREFIX/current.new" "$PREFIX/current"
}

# Rollback: the previous release is still installed side by side; point `current` at it and restart.
roll_back() {  # units to restart
  if [ ! -e "$PREFIX/releases/$rollback/.installed" ] && [ "$dry_run" = 0 ]; then
    echo "install.sh: release $rollback is not installed (ls $PREFIX/releases)" >&2; exit 1
  fi
  switch_to "$PREFIX/releases/$rollback"
  step systemctl restart "$@"
  echo "# rolled back: $PREFIX/current -> $PREFIX/releases/$rollback"
  exit 0
}

# Where the release comes from: a tarball of a tagged commit (git archive), or a source tree (by default
# the one this file is in). Sets source_dir, version and target (the release's directory).
find_release() {
  if [ -n "$release" ]; then
    staging=$(mktemp -d); trap 'rm -rf "$staging"' EXIT
    tar -xzf "$release" -C "$staging"  # read-only for the system: unpacked in a temporary directory
    source_dir=$(find "$staging" -mindepth 1 -maxdepth 1 -type d | head -1)
  fi
  source_dir=${source_dir:-$(cd "$DEPLOY_DIR/.." && pwd)}
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$source_dir/pyproject.toml" | head -1)
  [ -n "$version" ] || { echo "install.sh: no version in $source_dir/pyproject.toml" >&2; exit 1; }
  target=$PREFIX/releases/$version
}

announce() {  # what is installed, e.g. "saga kiosk"
  echo "# $1 $version from $source_dir into $target$([ "$dry_run" = 1 ] && echo ' (dry run: nothing is changed)')"
}

# A new release directory; one left half-done by an interrupted run is started again from nothing (cp -a
# would nest directories).
begin_release() {
  if [ -e "$target" ]; then step rm -rf "$target"; fi
  step install -d -m 0755 "$target"
}

# The release's own virtualenv with its pinned packages (only from the wheelhouse when one is given), its
# code compiled; then it is owned by root whoever unpacked the source (the service user can read the code,
# never change it) and marked complete.
finish_release() {  # requirements file and packages to compile, relative to the release
  local requirements=$1; shift
  step python3 -m venv "$target/venv"
  if [ -n "$wheelhouse" ]; then
    step "$target/venv/bin/pip" install --no-index --find-links "$wheelhouse" --no-deps \
      -r "$target/$requirements"
  else
    step "$target/venv/bin/pip" install --no-deps -r "$target/$requirements"
  fi
  step "$target/venv/bin/python" -m compileall -q "${@/#/$target/}"
  step chown -R root:root "$target"
  step touch "$target/.installed"
}

# A settings file from the release, installed only where there is none: later releases keep the site's.
install_settings() {  # file in the release, destination, group that may read it
  [ -e "$2" ] || step install -m 0640 -o root -g "$3" "$target/$1" "$2"
}

install_units() {  # directory in the release, units
  local dir=$1 unit; shift
  for unit in "$@"; do
    step install -m 0644 "$target/$dir/$unit" "$UNIT_DIR/$unit"
  done
  step systemctl daemon-reload
}

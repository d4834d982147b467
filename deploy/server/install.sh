#!/usr/bin/env bash
# Install (or update) the central registration API on Debian 12: PostgreSQL, nginx with TLS in front,
# the API as systemd services, nightly backups and retention. Only what the server needs: no kiosk UI,
# no virtual card or its test PKI, no test tools.
#
#   deploy/server/install.sh [--dry-run] [--release saga-X.Y.Z.tar.gz | --source DIR] [--wheelhouse DIR]
#                            [--kiosk-host NAME --queue-host NAME --staff-host NAME] [--staff-allow "CIDR ..."]
#                            [--tls-cert FILE --tls-key FILE] [--instances "8701 8702"] [--no-restart]
#   deploy/server/install.sh [--dry-run] --rollback VERSION     (back to an installed release)
#
# Each release goes into /opt/saga-server/releases/<version> with its own pinned virtualenv;
# /opt/saga-server/current points at the running one. An update installs side by side, takes a backup,
# switches the link, runs the migrations, then restarts the API (docs/operations.md).
# --dry-run prints every step and changes nothing. The nginx site has three names (docs/operations.md):
# the kiosks' API, the public queue host (the ticket's QR code, the lobby display) and the staff host,
# which answers only the networks of --staff-allow (default: the private ranges). Each option may also
# come from the environment: SAGA_SERVER_KIOSK_HOST, _QUEUE_HOST, _STAFF_HOST, _STAFF_ALLOW.
set -euo pipefail

# The helpers both installers share: deploy/lib.sh, shipped beside this script's directory.
lib=$(dirname "${BASH_SOURCE[0]}")/../lib.sh
[ -r "$lib" ] || { echo "install.sh: $lib is missing: it ships with this script (docs/operations.md)" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$lib"

# Overridable for tests and unusual layouts; the units expect these defaults.
PREFIX=${SAGA_SERVER_PREFIX:-/opt/saga-server}
ETC=${SAGA_SERVER_ETC:-/etc/saga-server}
DATA=/var/lib/saga-server
BACKUPS=/var/backups/saga
SERVICE_USER=saga
DATABASE=saga
NGINX_SITE=${SAGA_SERVER_NGINX_SITE:-/etc/nginx/sites-available/saga}

kiosk_host=${SAGA_SERVER_KIOSK_HOST:-} queue_host=${SAGA_SERVER_QUEUE_HOST:-} staff_host=${SAGA_SERVER_STAFF_HOST:-}
staff_allow=${SAGA_SERVER_STAFF_ALLOW:-}
tls_cert=/etc/ssl/saga/fullchain.pem tls_key=/etc/ssl/saga/privkey.pem instances="8701 8702"
while [ $# -gt 0 ]; do
  case "$1" in
    --kiosk-host) kiosk_host=$2; shift 2 ;;
    --queue-host) queue_host=$2; shift 2 ;;
    --staff-host) staff_host=$2; shift 2 ;;
    --staff-allow) staff_allow=$2; shift 2 ;;
    --server-name)
      echo "install.sh: --server-name is now three options: --kiosk-host, --queue-host and --staff-host" >&2
      echo "  (the staff pages moved to a host of their own: docs/operations.md)" >&2
      exit 2 ;;
    --tls-cert) tls_cert=$2; shift 2 ;;
    --tls-key) tls_key=$2; shift 2 ;;
    --instances) instances=$2; shift 2 ;;
    *) release_option "$@"; shift "$taken" ;;
  esac
done

# A read-only question to PostgreSQL (false when it is not installed or not running yet).
pg_has() { runuser -u postgres -- psql -XtAc "$1" 2>/dev/null | grep -q '^1$'; }
units=()
for port in $instances; do
  [[ "$port" =~ ^[0-9]+$ ]] || { echo "install.sh: --instances takes port numbers, not '$port'" >&2; exit 2; }
  units+=("saga-server@$port.service")
done

require_root

# Rollback: see roll_back (deploy/lib.sh). A release cannot run on a schema a newer one migrated (its
# migrate unit fails and the API stays down): then restore the backup taken before the update instead
# (docs/operations.md, 5.).
[ -z "$rollback" ] || roll_back "${units[@]}"

find_release
upgrade=0
[ -e "$PREFIX/current/.installed" ] && upgrade=1

# Checked before anything changes: nginx needs its three names and a certificate on a first install; the
# site is (re)written whenever the names are given, and only then.
write_site=0
[ -z "$kiosk_host$queue_host$staff_host" ] || write_site=1
if [ ! -e "$NGINX_SITE" ] || [ "$write_site" = 1 ] || [ -n "$staff_allow" ]; then
  if [ -z "$kiosk_host" ] || [ -z "$queue_host" ] || [ -z "$staff_host" ]; then
    echo "install.sh: the nginx site needs all three names: --kiosk-host (the kiosks' API), --queue-host (the" >&2
    echo "  ticket's QR code and the lobby display) and --staff-host (staff pages, from --staff-allow networks only)" >&2
    exit 1
  fi
  write_site=1
fi
if [ "$write_site" = 1 ]; then
  for name in "$kiosk_host" "$queue_host" "$staff_host"; do
    [[ "$name" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] \
      || { echo "install.sh: '$name' is not a host name" >&2; exit 2; }
  done
  if [ "$kiosk_host" = "$queue_host" ] || [ "$kiosk_host" = "$staff_host" ] || [ "$queue_host" = "$staff_host" ]; then
    echo "install.sh: --kiosk-host, --queue-host and --staff-host must be three different names" >&2
    exit 2
  fi
  staff_allow_default=0
  if [ -z "$staff_allow" ]; then
    staff_allow="10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fc00::/7" staff_allow_default=1
  fi
  for net in $staff_allow; do
    [[ "$net" =~ ^[0-9A-Fa-f:.]*[0-9][0-9A-Fa-f:.]*(/[0-9]{1,3})?$ ]] \
      || { echo "install.sh: --staff-allow takes addresses or networks (10.1.2.0/24, fd00::/8), not '$net'" >&2; exit 2; }
  done
fi
if [ "$write_site" = 1 ] && { [ ! -e "$tls_cert" ] || [ ! -e "$tls_key" ]; }; then
  if [ "$dry_run" = 0 ]; then
    echo "install.sh: no TLS certificate at $tls_cert / $tls_key (the library's, or Let's Encrypt's); give" >&2
    echo "  --tls-cert and --tls-key" >&2
    exit 1
  fi
  echo "# note: $tls_cert / $tls_key do not exist yet; a real install refuses to go on without them"
fi
announce "saga server"

# 1. Debian packages: the database, the TLS proxy, Python, age/rsync for encrypted off-site backups, and
#    espeak-ng (the English half of the lobby display's spoken calls).
pkgs=(postgresql postgresql-client nginx python3 python3-venv age rsync ca-certificates espeak-ng)
mapfile -t missing < <(missing_packages "${pkgs[@]}")
apt_install "${missing[@]}"

# 2. The unprivileged service user; its data, backups (0700) and settings (root-owned, group-readable).
system_user "$SERVICE_USER" "$DATA"
step install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA"
step install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$BACKUPS"
step install -d -m 0750 -o root -g "$SERVICE_USER" "$ETC"

# 3. PostgreSQL: a role named like the service user (peer authentication on the local socket, no
#    password anywhere) owning its database.
step systemctl enable --now postgresql.service
if ! pg_has "SELECT 1 FROM pg_roles WHERE rolname = '$SERVICE_USER'"; then
  step runuser -u postgres -- createuser "$SERVICE_USER"
fi
if ! pg_has "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'"; then
  step runuser -u postgres -- createdb -O "$SERVICE_USER" "$DATABASE"
fi

# 4. The release, side by side with the others, and its own virtualenv with the server's pins.
if [ -e "$target/.installed" ]; then
  echo "# release $version is installed already: only the link, the units and the services are refreshed"
else
  begin_release
  for part in server protocol pyproject.toml config/server.toml deploy/server deploy/lib.sh docs; do
    [ "$(dirname "$part")" = . ] || step install -d -m 0755 "$target/$(dirname "$part")"
    step cp -a "$source_dir/$part" "$target/$part"
  done
  finish_release deploy/server/requirements-server.txt server protocol
fi

# 5. Settings, kept across releases. server.env holds what differs per site (the public URL, J-LIS
#    roots and CRLs, backup keys): edit it after the first install.
install_settings config/server.toml "$ETC/server.toml" "$SERVICE_USER"
fresh_env=0
[ -e "$ETC/server.env" ] || fresh_env=1
install_settings deploy/server/server.env.example "$ETC/server.env" "$SERVICE_USER"

# 6. A backup of the running release's database before anything of the new one touches it.
if [ "$upgrade" = 1 ]; then
  step systemctl start saga-backup.service
fi

# 7. Switch to this release, install its units, run its migrations once, then (re)start the API.
switch_to "$target"
install_units deploy/server saga-server@.service saga-server-migrate.service saga-backup.service \
  saga-backup.timer saga-retention.service saga-retention.timer
step systemctl start saga-server-migrate.service
step systemctl enable "${units[@]}" saga-backup.timer saga-retention.timer
if [ "$fresh_env" = 1 ]; then
  # The example's values are not this site's: the API starts once they are set.
  echo "# first install: edit $ETC/server.env (SERVER_PUBLIC_BASE_URL=https://${queue_host:-<queue host>}, the"
  echo "#   J-LIS roots and CRLs, the backup keys), then: systemctl start ${units[*]}"
elif [ "$restart" = 1 ]; then
  step systemctl restart "${units[@]}"
fi
step systemctl start saga-backup.timer saga-retention.timer

# 8. nginx: TLS in front of the instances, one server per name (written on the first install or when the
#    names are given; otherwise the site as the library edited it stays).
if [ "$write_site" = 1 ]; then
  upstream="" allow=""
  for port in $instances; do upstream+="    server 127.0.0.1:$port max_fails=2 fail_timeout=5s;\n"; done
  for net in $staff_allow; do allow+="    allow $net;\n"; done
  if [ "$staff_allow_default" = 1 ]; then
    echo "# note: the staff host answers every private range (--staff-allow); patron Wi-Fi is often one of them:"
    echo "#   give the staff networks only"
  fi
  write_file "$NGINX_SITE" 0644 root:root < <(
    awk -v kiosk="$kiosk_host" -v queue="$queue_host" -v staff="$staff_host" -v cert="$tls_cert" -v key="$tls_key" \
        -v upstream="$upstream" -v allow="$allow" '
      # The template names each host by its example name; each is replaced literally.
      function swap(line, from, to,   at) {
        while ((at = index(line, from)) > 0) line = substr(line, 1, at - 1) to substr(line, at + length(from))
        return line
      }
      /^upstream saga_api/ { print; printf "%s", upstream; skip = 1; next }
      skip && /^ *server 127\.0\.0\.1:/ { next }
      /^ *keepalive/ { skip = 0 }
      /^ *allow / { next }
      /^ *deny all;/ { printf "%s", allow }
      /^ *ssl_certificate / { sub(/ssl_certificate .*;/, "ssl_certificate     " cert ";") }
      /^ *ssl_certificate_key / { sub(/ssl_certificate_key .*;/, "ssl_certificate_key " key ";") }
      {
        $0 = swap($0, "kiosk-api.library.pref.saga.example", kiosk)
        $0 = swap($0, "queue.library.pref.saga.example", queue)
        print swap($0, "staff.library.pref.saga.example", staff)
      }' "$source_dir/deploy/server/nginx-saga.conf")
  step ln -sfn "$NGINX_SITE" /etc/nginx/sites-enabled/saga
  step rm -f /etc/nginx/sites-enabled/default
fi
step nginx -t
step systemctl reload-or-restart nginx.service
echo "# done: $PREFIX/current -> $target"

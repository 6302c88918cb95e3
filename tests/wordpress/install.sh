#!/usr/bin/env bash
# Install the Debian packages the real-WordPress test harness needs.
#
# Idempotent: a fast no-op (one dpkg-query) when everything is installed.
# apt would start apache2 and the system MariaDB on install; a temporary
# /usr/sbin/policy-rc.d that exits 101 stops that. The harness runs its own
# mariadbd and `php -S` instead (see harness.py).
#
# Usage: bash tests/wordpress/install.sh     (as root, or with sudo available)
set -euo pipefail

PACKAGES=(
  wordpress
  wordpress-theme-twentytwentyone
  wordpress-theme-twentytwentythree
  php-cli
  php-mysql
  php-xml
  php-mbstring
  mariadb-server
  mariadb-client
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "wordpress harness: all packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "wordpress harness: installing ${missing[*]}"

POLICY=/usr/sbin/policy-rc.d
BACKUP=""
if [ -e "$POLICY" ]; then
  # Keep whatever policy the machine has (Docker images ship one) and put it back afterwards.
  BACKUP=$(mktemp /tmp/policy-rc.d.XXXXXX)
  $SUDO cp -p "$POLICY" "$BACKUP"
fi
printf '#!/bin/sh\n# temporary, written by tests/wordpress/install.sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
$SUDO chmod 755 "$POLICY"
cleanup() {
  if [ -n "$BACKUP" ]; then
    $SUDO cp -p "$BACKUP" "$POLICY"
    $SUDO rm -f "$BACKUP"
  else
    $SUDO rm -f "$POLICY"
  fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit)" ] \
   || [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin +1440 -print -quit)" ]; then
  $SUDO apt-get update -q
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  # A stale list can point at a superseded .deb: refresh once and retry.
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "wordpress harness: packages installed"

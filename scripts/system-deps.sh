#!/usr/bin/env bash
# Installs the system libraries the project needs, when they are missing (Debian/Ubuntu).
set -euo pipefail
# clamav-daemon: the tests start their own clamd (tests/conftest.py); clamav brings clamscan and sigtool.
# chromium-l10n: its French locale, so that date fields show jj/mm/aaaa in the browser tests (LANGUAGE=fr).
# caddy: the tests validate the reverse proxy's configuration (docker/Caddyfile) with it; wrk: make bench-node.
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 chromium chromium-l10n libatomic1 fonts-dejavu-core
  clamav clamav-daemon caddy wrk)
# Debian's own Python builds venvs only with its -venv package (ensurepip).
for version in 3.11 3.12; do
  if dpkg -s "python$version" >/dev/null 2>&1; then pkgs+=("python$version-venv"); fi
done
need=()
for pkg in "${pkgs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "Paquets système manquants : ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Installez-les avec : apt-get install -y ${need[*]}"; exit 1; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"

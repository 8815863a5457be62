#!/usr/bin/env bash
# Installs Redis and PostgreSQL (Debian packages) when they are missing. The tests start
# throwaway servers of both from these binaries; nothing is left running or enabled.
set -euo pipefail

have_redis() { command -v redis-server >/dev/null; }
have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

if have_redis && have_postgres; then
  exit 0
fi
packages=()
have_redis || packages+=(redis-server)
have_postgres || packages+=(postgresql)
echo "==> installing ${packages[*]} (Debian packages) for the tests of the scaled-out stack"
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "cannot install ${packages[*]}: run 'sudo apt-get install ${packages[*]}' and retry" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps the packages' own services from starting; the tests start their own
if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
have_redis && have_postgres

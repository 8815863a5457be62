#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver (Debian packages) when they are missing; the
# browser test of the webchat page drives them.
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
packages=(chromium chromium-driver)
echo "==> installing ${packages[*]} (Debian packages) for the webchat browser test"
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "cannot install ${packages[*]}: run 'sudo apt-get install ${packages[*]}' and retry" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null

#!/usr/bin/env bash
# Installs the uv that scripts/uv-requirements.txt pins (hash-checked, a wheel from PyPI) into a
# folder of the project, with the machine's python3 and its pip: nothing goes on PATH or into
# the user's site. Usage: scripts/bootstrap-uv.sh PYTHON FOLDER
set -euo pipefail
python=${1:?usage: $0 PYTHON FOLDER}
folder=${2:?usage: $0 PYTHON FOLDER}
requirements="$(dirname "$0")/uv-requirements.txt"

if ! "$python" -m pip --version >/dev/null 2>&1; then
  cat >&2 <<MSG
'$python -m pip' does not run, and the environments are installed by uv, which pip brings in.
Install pip for that interpreter (e.g. apt-get install python3-pip), or name another one:
  make run PYTHON=/path/to/python3
MSG
  exit 1
fi
rm -rf "$folder"
# none of the machine's pip settings (PIP_* variables, configuration files: extra indexes, local
# wheel folders, constraints) play a part; the hashes decide what is accepted
for variable in $(compgen -e | grep '^PIP_' || true); do unset "$variable"; done
PIP_CONFIG_FILE=/dev/null PIP_ROOT_USER_ACTION=ignore "$python" -m pip install \
  --quiet --disable-pip-version-check --no-warn-script-location --only-binary :all: \
  --require-hashes --target "$folder" -r "$requirements"
"$folder/bin/uv" --version >/dev/null

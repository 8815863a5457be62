#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter for Rasa's environment, or explains what to install.
# Looked up on PATH and under pyenv first; else, with UV set to a uv binary, one of uv's managed
# interpreters, installed by uv if it has none (uv downloads it unless UV_PYTHON_DOWNLOADS=never).
set -u
is_310() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; }

for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)"/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if is_310 "$path"; then
    echo "$path"
    exit 0
  fi
done

uv_said=""
if [ -n "${UV:-}" ] && [ -x "$UV" ]; then
  managed() { "$UV" python find --no-config --managed-python --no-python-downloads 3.10 2>/dev/null; }
  path=$(managed)
  if [ -z "$path" ]; then
    echo "==> no Python 3.10 on PATH or under pyenv: installing one with uv" >&2
    uv_said=$("$UV" python install --no-config 3.10 2>&1) && path=$(managed)
  fi
  if [ -n "$path" ] && is_310 "$path"; then
    echo "$path"
    exit 0
  fi
fi

cat >&2 <<'MSG'
Rasa 3.6 needs Python 3.10, and none was found on PATH or under pyenv, nor could uv provide one.
Install one, then run the command again:
  pyenv install 3.10        (with pyenv), or
  apt-get install python3.10   (where your distribution has it), or
  .tools/uv/bin/uv python install 3.10   (uv downloads it; needs internet access)
MSG
if [ -n "$uv_said" ]; then
  echo "uv said:" >&2
  sed 's/^/  /' <<<"$uv_said" >&2
fi
exit 1

#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter for Rasa's environment, or explains what to install.
set -u
for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)"/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'MSG'
Rasa 3.6 needs Python 3.10, and none was found on PATH or under pyenv.
Install one, then run the command again:
  pyenv install 3.10        (with pyenv), or
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
MSG
exit 1

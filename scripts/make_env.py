"""Create .env from .env.example when it is missing, with fresh random tokens.

An existing .env is left alone; variables that .env.example has and .env lacks are listed,
so an upgrade that adds a setting is noticed.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

KEY = re.compile(r"^([A-Z][A-Z0-9_]*)=")


def keys(text: str) -> list[str]:
    """The variable names assigned in an env file's text."""
    return [m.group(1) for line in text.splitlines() if (m := KEY.match(line))]


#: settings that get a fresh random value in every new .env
SECRETS = ("RASA_API_TOKEN", "INTERNAL_API_TOKEN")


def main(example: Path = Path(".env.example"), target: Path = Path(".env")) -> int:
    """Write ``target`` from ``example`` unless it exists; report missing keys otherwise."""
    template = example.read_text()
    if target.exists():
        missing = sorted(set(keys(template)) - set(keys(target.read_text())))
        if missing:
            print(f"note: {target} lacks {', '.join(missing)} (see {example})", file=sys.stderr)
        return 0
    text = template
    for name in SECRETS:
        token = secrets.token_urlsafe(32)
        text = re.sub(rf"^{name}=.*$", f"{name}={token}", text, flags=re.M)
    target.write_text(text)
    target.chmod(0o600)
    print(f"==> wrote {target} from {example} with a new {' and '.join(SECRETS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

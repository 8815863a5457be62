"""Write .env from .env.example with fresh random secrets; keep an existing .env's own ones.

A new .env gets a random value for every secret (``SECRETS``): none of the values published in
.env.example, which the sandbox accepts, stays in it. A later run keeps every secret .env holds
(so conversations and signed-in sessions survive restarts) and writes a fresh one only where a
secret is missing, empty or still a published value. A secret the sandbox must know too
(``WHATSAPP_ACCESS_TOKEN`` and ``SANDBOX_WHATSAPP_ACCESS_TOKEN``) gets one value for both.
Variables that .env.example has and .env lacks are listed, so an upgrade that adds a setting
is noticed.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

KEY = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")

#: settings that hold a secret, each group sharing one value (the client's and the sandbox's)
SECRETS: tuple[tuple[str, ...], ...] = (
    ("RASA_API_TOKEN",),
    ("INTERNAL_API_TOKEN",),
    ("ACTION_SERVER_TOKEN",),
    ("OTP_HASH_KEY",),
    ("WHATSAPP_APP_SECRET",),
    ("WHATSAPP_VERIFY_TOKEN",),
    ("WHATSAPP_ACCESS_TOKEN", "SANDBOX_WHATSAPP_ACCESS_TOKEN"),
    ("AICC_APP_SECRET", "SANDBOX_AICC_APP_SECRET"),
    ("SANDBOX_TWILIO_AUTH_TOKEN",),
)
#: what the sandbox accepts and .env.example publishes (common/sandbox_secrets.py lists them)
PUBLISHED = frozenset(
    {
        "sandbox",
        "sandbox-app-secret",
        "sandbox-verify-token",
        "sandbox-whatsapp-token",
        "sandbox-twilio-token",
        "sandbox-aicc-key",
        "sandbox-aicc-secret",
    }
)


def keys(text: str) -> list[str]:
    """The variable names assigned in an env file's text."""
    return [m.group(1) for line in text.splitlines() if (m := KEY.match(line))]


def values(text: str) -> dict[str, str]:
    """The values assigned in an env file's text, quotes around them dropped."""
    found = (KEY.match(line) for line in text.splitlines())
    return {m.group(1): m.group(2).strip().strip("'\"") for m in found if m}


def needs_new(value: str | None) -> bool:
    """Whether a secret's value must be replaced: missing, empty or published."""
    return value is None or not value or value in PUBLISHED


def with_secrets(text: str) -> tuple[str, list[str]]:
    """``text`` with a fresh value in every secret that needs one, and those secrets' names."""
    current = values(text)
    lines = text.splitlines()
    written: list[str] = []
    for group in SECRETS:
        fresh = secrets.token_urlsafe(32)
        for name in group:
            if not needs_new(current.get(name)):
                continue
            written.append(name)
            pattern = re.compile(rf"^{name}=")
            at = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
            if at is None:
                lines.append(f"{name}={fresh}")
            else:
                lines[at] = f"{name}={fresh}"
    return "\n".join(lines) + "\n", written


def main(example: Path = Path(".env.example"), target: Path = Path(".env")) -> int:
    """Write ``target`` from ``example``, or give the ``target`` there the secrets it lacks."""
    template = example.read_text()
    existing = target.exists()
    text, written = with_secrets(target.read_text() if existing else template)
    if written or not existing:
        target.write_text(text)
        target.chmod(0o600)
    if existing:
        missing = sorted(set(keys(template)) - set(keys(text)))
        if missing:
            print(f"note: {target} lacks {', '.join(missing)} (see {example})", file=sys.stderr)
        if written:
            print(f"==> gave {target} a new {', '.join(written)} (missing, empty or published)")
        return 0
    print(f"==> wrote {target} from {example} with new random secrets: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

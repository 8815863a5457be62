"""Secrets the sandbox publishes, refused wherever the service they unlock is not the sandbox.

The sandbox's stand-ins accept fixed, published credentials (``sandbox-app-secret``,
``sandbox-whatsapp-token``...), and .env.example carries them so a fresh clone runs. Kept
against a real service they would let anyone who read this repository sign a WhatsApp
webhook or call AICC as us, so each process checks, before it starts, every secret it holds
against the address of the service it is for: a published one goes with the sandbox only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

#: every credential the sandbox and .env.example publish
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
#: the sandbox's host name in deploy/compose.yaml
SANDBOX_HOST = "sandbox"


@dataclass(frozen=True)
class Held:
    """A secret a process holds (``name``, its variable) and where the service it opens is."""

    name: str
    value: str | None
    peer_name: str
    peer_url: str | None


def is_sandbox_url(url: str | None) -> bool:
    """Whether ``url`` points at the sandbox: this machine, or compose's ``sandbox`` host."""
    host = (urlsplit(url or "").hostname or "").lower()
    if host in (SANDBOX_HOST, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def published_secrets_refused(held: Iterable[Held]) -> list[str]:
    """A sentence for each published secret held for a service that is not the sandbox."""
    return [
        f"{secret.name} is the sandbox's published value, but {secret.peer_name} "
        f"({secret.peer_url or 'unset: the real service'}) is not the sandbox; "
        f"set {secret.name} to the real service's secret (make run writes fresh ones into .env)"
        for secret in held
        if secret.value in PUBLISHED and not is_sandbox_url(secret.peer_url)
    ]

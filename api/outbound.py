"""What every channel's sending shares: text cut to a provider's size, retries paced alike.

A provider limits how long one message may be, so a long reply is cut on line, then word,
boundaries; a send the provider throttled or failed for a moment is tried again after an
exponentially growing pause, a bounded number of times.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.settings import GatewaySettings


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters.

    Each cut is at the last line break that fits, else the last space, and mid-word only when
    one word is longer than the limit.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently a throttled or failed send is tried again."""

    max_attempts: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1)))

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> Backoff:
        """Every channel's patience: ``WHATSAPP_SEND_MAX_ATTEMPTS`` tries, the first pause
        ``WHATSAPP_RETRY_BASE_SECONDS`` long."""
        return cls(settings.whatsapp_send_max_attempts, settings.whatsapp_retry_base_seconds)

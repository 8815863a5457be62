"""Who is to be erased, and how each store recognises them.

A ``Person`` is a phone number in E.164 and/or an email address, already normalised the way
the product keeps them. Stores match them two ways: exactly, on columns that hold an address
or a conversation id (``addresses``, ``conversations``), and inside free text or JSON
(``found_in``), where a cheap prefilter (``needles``, for SQL ``instr``) is confirmed by a
bounded search, so a number is never taken for part of a longer one. Everything here is
linear in the text it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """One person's contacts: ``phone`` in E.164 (``+447700900123``), ``email`` lower-case."""

    phone: str | None = None
    email: str | None = None
    #: conversations found to be theirs (e.g. webchat ones whose slots hold the contact)
    found: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.phone is None and self.email is None:
            raise ValueError("a person needs a phone number or an email address")
        if self.phone is not None and not re.fullmatch(r"\+[1-9]\d{5,14}", self.phone):
            raise ValueError("the phone number must be in E.164 form")
        if self.email is not None and self.email != self.email.lower():
            raise ValueError("the email address must be lower-case")

    @property
    def digits(self) -> str | None:
        """The phone number without its ``+``: WhatsApp's ``wa_id``."""
        return None if self.phone is None else self.phone[1:]

    @property
    def addresses(self) -> frozenset[str]:
        """Every exact form a store keeps the person under (numbers, ``whatsapp:`` senders)."""
        kept: set[str] = set()
        if self.phone is not None and self.digits is not None:
            kept |= {self.phone, self.digits, f"whatsapp:{self.phone}"}
        if self.email is not None:
            kept.add(self.email)
        return frozenset(kept)

    @property
    def conversations(self) -> frozenset[str]:
        """The conversation ids that are theirs: their channels' own, and those ``found``."""
        kept = set(self.found)
        if self.phone is not None:
            kept |= {f"whatsapp:{self.digits}", f"twilio:{self.phone}"}
        return frozenset(kept)

    def with_conversations(self, found: set[str] | frozenset[str]) -> Person:
        """The same person, with more conversations known to be theirs."""
        return Person(self.phone, self.email, self.found | frozenset(found))

    @property
    def needles(self) -> tuple[str, ...]:
        """Lower-case strings at least one of which any text naming the person contains."""
        return tuple(n for n in (self.digits, self.email) if n is not None)

    def names(self, value: str | None) -> bool:
        """Whether ``value`` is exactly one of the person's addresses or conversations."""
        return value is not None and (value in self.addresses or value in self.conversations)

    def found_in(self, text: str | None) -> bool:
        """Whether ``text`` (free text or JSON) holds the person's number or address."""
        if not text:
            return False
        lowered = text.lower()
        return any(pattern.search(lowered) for pattern in self._patterns())

    def _patterns(self) -> list[re.Pattern[str]]:
        patterns = []
        if self.digits is not None:
            # the same digits inside a longer number are someone else's
            patterns.append(re.compile(rf"(?<!\d){re.escape(self.digits)}(?!\d)"))
        if self.email is not None:
            patterns.append(re.compile(rf"(?<![\w.+-]){re.escape(self.email)}(?![\w-]|\.[a-z0-9])"))
        return patterns

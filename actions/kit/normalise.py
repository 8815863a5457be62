"""Turning what people type into values a case accepts: contacts and choices from a list."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# what cannot be part of an address written in a sentence: it splits the text into tokens
_NOT_IN_ADDRESS = re.compile(r"[\s<>()\[\],;:\"']+")
#: number-like runs looked at in one text (found or not): an answer holds one or two, and each
#: costs libphonenumber a fraction of a millisecond, so a message of thousands would take seconds
_MAX_NUMBERS = 20
_APOSTROPHES = re.compile(r"['’`]")
_NON_WORD = re.compile(r"[^\w]+")
# a choice right after one of these words is being ruled out ("not critical"), not chosen
_NEGATIONS = frozenset({"not", "no", "isnt", "never", "nothing", "hardly"})


def normalise_email(text: str) -> str | None:
    """The normalised email address in ``text`` (alone or inside a sentence), else ``None``."""
    candidates = [text.strip(), *(token.rstrip(".") for token in _address_tokens(text))]
    for candidate in candidates:
        try:
            # deliverability needs DNS, which a chat turn should not wait for
            result = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        return result.normalized
    return None


def _address_tokens(text: str) -> list[str]:
    # The tokens with an "@" that has something on both sides. Split rather than searched for
    # with one pattern: a search retries from every character of a long token without an "@",
    # which costs time quadratic in the token's length.
    return [token for token in _NOT_IN_ADDRESS.split(text) if "@" in token[1:-1]]


def normalise_phone(text: str, region: str) -> str | None:
    """The E.164 form of the phone number in ``text``; ``region`` applies without a +code."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and _dialable(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    matches = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=_MAX_NUMBERS
    )
    for match in itertools.islice(matches, _MAX_NUMBERS):
        if _dialable(match.number):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _dialable(number: phonenumbers.PhoneNumber) -> bool:
    # "possible" (the right length for its country) rather than "valid": libphonenumber calls
    # numbers outside allocated ranges invalid, and its range data lags real allocations, so a
    # customer's genuine new number must not be refused. Local-only lengths are refused: a
    # number without its area code cannot be called back.
    reason = phonenumbers.is_possible_number_with_reason(number)
    return bool(reason == phonenumbers.ValidationResult.IS_POSSIBLE)


def words(text: str) -> str:
    """Lower-case words separated by single spaces, punctuation dropped."""
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub("", text.lower())).split())


def match_choice(text: str, phrases: Mapping[str, str]) -> set[str]:
    """The options that ``text`` names, given phrases (in ``words`` form) mapped to options.

    The whole text naming a phrase wins outright. Otherwise the longest phrases found in the
    text (in words, so "not urgent" beats "urgent") decide; more than one option means the
    text is ambiguous. A phrase right after a negation does not count.
    """
    said = words(text)
    if said in phrases:
        return {phrases[said]}
    tokens = said.split()
    best = 0
    found: set[str] = set()
    for phrase, option in phrases.items():
        wanted = phrase.split()
        size = len(wanted)
        for start in range(len(tokens) - size + 1):
            if tokens[start : start + size] != wanted:
                continue
            if start and tokens[start - 1] in _NEGATIONS and wanted[0] not in _NEGATIONS:
                continue
            if size > best:
                best, found = size, {option}
            elif size == best:
                found.add(option)
    return found


def spoken_list(items: list[str] | tuple[str, ...]) -> str:
    """``a, b or c``: a list as one would say it."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"

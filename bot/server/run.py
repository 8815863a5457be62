"""Start ``rasa run`` with its HTTP API token taken from the environment, not a command line.

``python -m bot.server.run <rasa run options>`` (from the repository root, where Rasa finds
``bot.*``) reads ``RASA_API_TOKEN`` and hands it to Rasa inside this process, so it never
shows in ``ps`` or /proc/<pid>/cmdline; Rasa reads it nowhere else. Before Rasa starts, it
also keeps users' words out of Rasa's warnings and log records: a message typed as
``/anything{...}`` is parsed as an intent, and Rasa's warnings about one it cannot read quote
the whole line, its intent or its entities; those are replaced by their length. It starts
the purge of conversations silent for ``CONVERSATION_RETENTION_DAYS`` (``bot.server.retention``).
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import Any, TextIO

from bot.server import retention
from bot.server.secret import usable_token

# What Rasa writes before it quotes a user's message, in its warnings
# (rasa/core/processor.py, rasa/shared/core/training_data/story_reader/yaml_story_reader.py)
# and its structured log (the field ``user_text``). Each is cut at its first place and the
# rest counted, never searched again: a user can type these words too, as often as they like.
_QUOTING = (
    "Failed to parse arguments in line",
    "Parsed an intent '",
    "Parsed an entity '",
    "user_text",
)
#: what follows the quoted intent or entity name in Rasa's own words
_AFTER_NAME = "' which is not defined"


def without_user_words(text: str) -> str:
    """``text`` with what Rasa quotes from a user's message replaced by its length."""
    found = [(at, marker) for marker in _QUOTING if (at := text.find(marker)) >= 0]
    if not found:
        return text
    at, marker = min(found)
    head = text[: at + len(marker)]
    if marker.endswith("'"):
        # the name ends where Rasa's own words go on; a quote typed inside it changes nothing
        end = text.rfind(_AFTER_NAME)
        if end >= len(head):
            return f"{head.rstrip(chr(39))}of {end - len(head)} characters{text[end + 1 :]}"
    return f"{head} <{len(text) - len(head)} characters not logged>"


def guard_records() -> None:
    """Have every log record made without the words a user typed (structlog's too)."""
    make = logging.getLogRecordFactory()

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made = make(*args, **kwargs)
        try:
            text = made.getMessage()
        except (TypeError, ValueError):
            return made
        masked = without_user_words(text)
        if masked != text:
            made.msg, made.args = masked, None
        return made

    logging.setLogRecordFactory(record)


def guard_warnings() -> None:
    """Have every warning shown without the words a user typed."""
    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = without_user_words(str(message))
        shown(category(text), category, filename, lineno, file, line)

    warnings.showwarning = show


def rasa_argv(argv: list[str], environ: Any) -> list[str]:
    """Rasa's command line: ``rasa run``, the options given, and the token from ``environ``."""
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit("give the token as RASA_API_TOKEN, never on the command line")
    try:
        token = usable_token(environ.get("RASA_API_TOKEN"))
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    # one argument with "=": a token that starts with "-" would read as an option otherwise
    return ["rasa", "run", *argv, f"--auth-token={token}"]


def main() -> None:
    """Run Rasa's server with the token from the environment."""
    sys.argv = rasa_argv(sys.argv[1:], os.environ)
    guard_warnings()
    guard_records()
    retention.start(sys.argv, os.environ)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()

"""Start ``rasa run`` with its HTTP API token taken from the environment, not a command line.

``python -m bot.server.run <rasa run options>`` (from the repository root, where Rasa finds
``bot.*``) reads ``RASA_API_TOKEN`` and hands it to Rasa inside this process, so it never
shows in ``ps`` or /proc/<pid>/cmdline; Rasa reads it nowhere else. Before Rasa starts, it
also keeps users' words out of Rasa's warnings: a message typed as ``/anything`` is parsed as
the intent "anything", and Rasa's warning about an intent or entity its domain lacks quotes
it, so those names are replaced by their length.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from typing import Any, TextIO

from bot.server.secret import usable_token

# Rasa's words in rasa/core/processor.py: "Parsed an intent '<name>' which is not defined..."
_PARSED_NAME = re.compile(r"(Parsed an (?:intent|entity) )'[^']*'")


def without_user_words(text: str) -> str:
    """``text`` with the names Rasa quotes from a parsed message replaced by their length."""
    return _PARSED_NAME.sub(
        lambda m: f"{m.group(1)}of {len(m.group(0)) - len(m.group(1)) - 2} characters", text
    )


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
    return ["rasa", "run", *argv, "--auth-token", token]


def main() -> None:
    """Run Rasa's server with the token from the environment."""
    sys.argv = rasa_argv(sys.argv[1:], os.environ)
    guard_warnings()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()

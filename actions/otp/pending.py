"""How long an offer of a code, and the request waiting on it, stay pending.

An offer asks for the case's contact (``otp_case``) and keeps the request it interrupted
(``otp_resume``), stamped with when it was made (``at``, renewed when the code is asked for). It
lapses once the conversation moves on, that is once a message of any intent but those that
answer it (the contact, the code, a yes to the offer) is served, one not understood aside; and
once a code's lifetime has passed since. Left standing, a later number the customer types for
another reason would be taken for the contact asked for long ago, and a right code would carry
out a request they had given up on.
"""

from __future__ import annotations

import math
from typing import Any

#: the intent of a message that gives a code
GIVE_CODE = "give_code"
#: the intents that answer an offer: the contact the case was opened with, the code, and a
#: yes ("ok", "sure") to the offer itself, which is asked for the contact again
ANSWERS = frozenset({"inform", GIVE_CODE, "affirm"})
#: a message the assistant did not understand (Rasa's fallback intent): the customer may have
#: typed the contact in a way it could not read, and is asked again, not turning away
NOT_UNDERSTOOD = "nlu_fallback"
#: the key of ``otp_resume`` holding when the offer was made or the code asked for
AT = "at"


def stamped(waiting: dict[str, Any], now: float) -> dict[str, Any]:
    """``waiting`` (an ``otp_resume``) as of ``now``."""
    return {**waiting, AT: now}


def lapsed(waiting: object, intent: object, now: float, lifetime: float) -> bool:
    """Whether a pending offer whose request is ``waiting`` is over once a message of
    ``intent`` comes at ``now``; ``intent`` is ``None`` for a turn the customer did not start.

    An offer with no time on it is over too: every offer the actions make has one. A time
    a little ahead of ``now`` is another action server's clock, and counts from there.
    """
    if intent is not None and intent not in ANSWERS and intent != NOT_UNDERSTOOD:
        return True
    at = waiting.get(AT) if isinstance(waiting, dict) else None
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
        return True
    return now - at >= lifetime

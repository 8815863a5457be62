"""A customer's rating of a closed case, put on the case the way its back end can hold it.

Where the back end's template has the logical field ``satisfaction`` (``data/case_template.yaml``;
on Connect Cases the custom Number field ``Customer satisfaction`` that provisioning creates),
the score goes in that field and the customer's words, when they wrote some, beside it as a
comment. Where it has none (AICC, whose published Case 2.0 calls have no place for it, or a
Connect domain without the field) the whole rating is one comment:
"Customer rating: 4/5 - slow but ok". The words are the customer's and go on the case as such.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cases.backend import Actor, BackendError, CaseBackend, CaseRef, InvalidCase

logger = logging.getLogger(__name__)

#: the logical field a rating goes in, where the template has it
SATISFACTION = "satisfaction"
LOWEST, HIGHEST = 1, 5


@dataclass(frozen=True)
class Rating:
    """A score from ``LOWEST`` to ``HIGHEST`` and the customer's words after it, if any."""

    score: int
    comment: str | None = None

    def __post_init__(self) -> None:
        if not LOWEST <= self.score <= HIGHEST:
            raise ValueError(f"a rating is from {LOWEST} to {HIGHEST}, not {self.score}")

    def words(self) -> str:
        """The rating as a comment says it: "Customer rating: 4/5 - slow but ok"."""
        said = f"Customer rating: {self.score}/{HIGHEST}"
        return f"{said} - {self.comment}" if self.comment else said


async def record_rating(
    backend: CaseBackend, case: CaseRef, rating: Rating, actor: Actor | None = None
) -> bool:
    """Put ``rating`` on ``case``; whether a field holds the score (else a comment does)."""
    try:
        fields = (await backend.get_template()).fields
    except BackendError as exc:
        # the comment needs no template: the rating is not lost for want of one
        logger.warning("template unread (%s); the rating goes in a comment", type(exc).__name__)
        fields = {}
    if SATISFACTION in fields:
        try:
            await backend.update_case(case, {SATISFACTION: str(rating.score)}, actor)
        except InvalidCase as exc:
            # a field of a type that takes no score: the comment still says it
            logger.warning("rating not written to the %s field: %s", SATISFACTION, exc)
        else:
            if rating.comment:
                await backend.add_comment(case, rating.words(), actor)
            return True
    await backend.add_comment(case, rating.words(), actor)
    return False

"""Reading a rating the way people send one, and telling it from a message that is none."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from actions.kit.rating import asked_just_before, parse_rating
from cases.rating import Rating
from tests.support.linear import LINEAR_GROWTH, settled_growth


@pytest.mark.parametrize(
    ("text", "score", "comment"),
    [
        ("5", 5, None),
        ("4/5", 4, None),
        ("4 / 5", 4, None),
        ("2 out of 5, took ages", 2, "took ages"),
        ("five", 5, None),
        ("Five!", 5, None),
        ("five, quick", 5, "quick"),
        ("⭐⭐⭐⭐", 4, None),
        ("⭐️⭐️⭐️", 3, None),
        ("★★★☆☆", 3, None),
        ("⭐⭐⭐⭐⭐ ty", 5, "ty"),
        ("4️⃣", 4, None),
        ("3 - slow but ok", 3, "slow but ok"),
        ("1 never again", 1, "never again"),
        ("4 stars", 4, None),
        ("I'd give it a 4", 4, None),
        ("id say 3", 3, None),
        ("rating: 2 meh", 2, "meh"),
        ("ok 4", 4, None),
        ("10/10", 5, None),
        ("8/10 would recommend", 4, "would recommend"),
        ("  4  ", 4, None),
        # a word of hesitation or judgement first
        ("meh 3, took a while", 3, "took a while"),
        ("honestly 2, slow", 2, "slow"),
        ("its a 4", 4, None),
        ("tbh 1 awful", 1, "awful"),
    ],
)
def test_a_number_first_is_a_rating_and_the_words_after_it_its_comment(
    text: str, score: int, comment: str | None
) -> None:
    assert parse_rating(text) == Rating(score, comment)


@pytest.mark.parametrize(
    "text",
    [
        "great thanks",
        "terrible",
        "",
        "0",
        "6",
        "4.5",
        "4,5",
        "12345678",
        "C-1042",
        "one more thing, what's the status of 10000001",
        "two of my orders are missing",
        "0/10",
        "3/7",
        "☆☆☆",
        "what about 5",
        "so many problems, 5 calls",
        "meh",
    ],
)
def test_a_message_that_does_not_start_with_a_score_from_1_to_5_is_no_rating(text: str) -> None:
    assert parse_rating(text) is None


def test_the_comment_is_kept_whole_however_long() -> None:
    words = "slow " * 5_000

    rating = parse_rating(f"2 - {words}")

    assert rating is not None and rating.comment == words.strip()


@pytest.mark.parametrize("unit", ["⭐", "5", "five ", "★☆", "4️⃣", "i'd give "])
def test_reading_takes_linear_time_on_runs_of_what_a_rating_starts_with(unit: str) -> None:
    assert settled_growth(parse_rating, unit) < LINEAR_GROWTH


@pytest.mark.parametrize("unit", ["-", " -", ",;. ", "slow ", "⭐"])
def test_reading_takes_linear_time_on_a_long_comment_after_the_score(unit: str) -> None:
    # past the score the whole message is read, however long: the comment is kept whole
    def rated(text: str) -> Rating | None:
        return parse_rating(f"4 {text}")

    assert settled_growth(rated, unit) < LINEAR_GROWTH


def test_the_words_on_the_case_say_score_scale_and_comment() -> None:
    assert Rating(4, "slow but ok").words() == "Customer rating: 4/5 - slow but ok"
    assert Rating(5).words() == "Customer rating: 5/5"
    with pytest.raises(ValueError):
        Rating(6)


ASK = [
    UserUttered("yes", {"intent": {"name": "affirm"}}),
    ActionExecuted("action_close_case"),
    BotUttered("How did we do?"),
    SlotSet("rating_case", "10000002"),
    ActionExecuted("action_listen"),
]
ANSWER = UserUttered("5", {"intent": {"name": "give_rating"}})


def test_the_answer_comes_right_after_the_question() -> None:
    assert asked_just_before([*ASK, ANSWER])


def test_a_new_session_between_question_and_answer_keeps_it_the_answer() -> None:
    session = [
        ActionExecuted("action_session_start"),
        {"event": "session_started"},
        SlotSet("rating_case", "10000002"),
        ActionExecuted("action_listen"),
    ]

    assert asked_just_before([*ASK, *session, ANSWER])


def test_anything_said_in_between_drops_the_question() -> None:
    between = [
        UserUttered("status?", {"intent": {"name": "check_case_status"}}),
        ActionExecuted("action_check_case_status"),
        ActionExecuted("action_listen"),
    ]
    carried = [
        ActionExecuted("action_session_start"),
        {"event": "session_started"},
        SlotSet("rating_case", "10000002"),
        ActionExecuted("action_listen"),
    ]

    assert not asked_just_before([*ASK, *between, ANSWER])
    assert not asked_just_before([*ASK, *between, *carried, ANSWER])


def test_a_turn_that_cleared_the_question_asked_nothing() -> None:
    cleared = [
        UserUttered("yes", {"intent": {"name": "affirm"}}),
        ActionExecuted("action_close_case"),
        SlotSet("rating_case", None),
        ActionExecuted("action_listen"),
    ]

    assert not asked_just_before([*cleared, ANSWER])
    assert not asked_just_before([ANSWER])

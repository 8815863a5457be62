"""The story a customer opens a case with, made into a description and a title.

"Hi, I ordered a sofa 3 weeks ago and it still hasn't come. Can you raise a complaint?" is the
description "I ordered a sofa 3 weeks ago and it still hasn't come" and the title "I ordered a
sofa 3 weeks ago": the greeting, the words announcing the story and the words asking for a case
are in neither, and a title ends at a clause or a phrase, never mid-phrase. Every step reads
the text once (the request at the end only in its last characters), so its time is linear.
"""

from __future__ import annotations

import re

#: words a title has at most
TITLE_MAX_WORDS = 8
#: a title cut at a phrase keeps at least this many words
TITLE_MIN_WORDS = 3
#: words a phrase starts with, and that a title never ends on
_PHRASE_WORDS = frozenset(
    "a an the this that these those my our your their his her its every each all some any "
    "no of in on at to for from with without over under after before since until during about "
    "into onto through across around near by and or but so because when while whenever if "
    "which who where than then again is are was were be been being has have had do does did "
    "very really just still also even only".split()
)
_TRIGGER = re.compile(
    r"^\W*(?:(?:hi|hello|hey)\b\W*)?"
    r"(?:(?:please|pls|plz|can you|could you|can u|could u|i'?d like to|i would like to"
    r"|i (?:want|need) to|i wanna|let'?s)\s+)*"
    r"(?:open|raise|create|file|log|start|report|make|submit)\s+(?:an?\s+)?(?:new\s+)?"
    r"(?:support\s+)?(?:case|ticket|complaint|issue|problem)\b(?:\s+(?:for me|please))?"
    r"(?:\s+(?:about|regarding|concerning|for|as|because|since)\b)?[\s:,.;!-]*",
    re.IGNORECASE,
)
#: a greeting the story starts with ("Hi, ...", "good morning team - ..."): in no title
_GREETING = re.compile(
    r"^\W*(?:(?:hi|hello|hey|hiya|heya|dear)(?:\s+(?:there|team|all|guys|support))?"
    r"|good\s+(?:morning|afternoon|evening|day)(?:\s+(?:team|all))?|morning|afternoon|evening)"
    r"\b[\s,.!:;-]*",
    re.IGNORECASE,
)
#: words a message starts with that say nothing ("ok whatever, ...", "so ..."): in no title.
#: Each repetition takes a whole word of the list, so the text is read once
_FILLER = re.compile(
    r"^\W*(?:(?:ok|okay|whatever|so|um+|erm|basically|anyway|alright|hmm+|yeah)\b[\s,.!:;-]*)+",
    re.IGNORECASE,
)
#: words that announce the story ("I need to report that ...", "I'm writing to complain about
#: ..."): in no title
_ANNOUNCE = re.compile(
    r"^\W*(?:(?:i|we)\s+(?:just\s+)?(?:need|want|wanted|would like|'?d like|wish)\s+to\s+"
    r"|i'?m\s+(?:writing|messaging|contacting you|getting in touch)\s+to\s+)"
    r"(?:report|complain|say|tell you|let you know|flag|raise)\b"
    r"(?:\s+(?:that|about|because))?[\s:,-]*",
    re.IGNORECASE,
)
#: the request for a case at the end of the story ("..., can you raise a complaint?"): read in
#: the story's last ``_ASK_TAIL`` characters only, so a long story costs no more than a short one
_TRAILING_ASK = re.compile(
    r"(?:^|[.!?,;]\s*|\s+(?:so|and)\s+|\s+(?=(?:please|pls|plz|can|could|would|i)\b))"
    r"(?:(?:please|pls|plz|can you|could you|can u|could u|would you|i'?d like to"
    r"|i would like to|i (?:want|need) to|i wanna)\s+)*"
    r"(?:open|raise|create|file|log|start|make|submit)\s+(?:an?\s+|me\s+an?\s+)?(?:new\s+)?"
    r"(?:support\s+)?(?:case|ticket|complaint)\b(?:\s+(?:for me|please|pls|about (?:it|this)))*"
    r"[\s?.!]*$",
    re.IGNORECASE,
)
_ASK_TAIL = 120
_CLAUSE_END = re.compile(r"[.!?;:,\n]|\s(?:but|because|and then|since)\s", re.IGNORECASE)


def told_story(text: str) -> str:
    """``text`` without the words that asked for a case, before or after the story, and
    without the greeting and the filler it opens with."""
    return _told(text)[0]


def named_subject(text: str) -> str:
    """What a request for a case names as its subject ("open a case about my bill": "my bill",
    "I want to complain about a rude driver": "a rude driver"); empty when no such request
    starts ``text``."""
    story, asked = _told(text)
    return story if asked else ""


def _told(text: str) -> tuple[str, bool]:
    story = _GREETING.sub("", text, count=1).strip()
    story = _FILLER.sub("", story, count=1).strip()
    asked = _TRIGGER.sub("", story, count=1).strip()
    if asked == story:
        asked = _ANNOUNCE.sub("", story, count=1).strip()
    named = asked != story
    story = asked
    head, tail = story[:-_ASK_TAIL], story[-_ASK_TAIL:]
    ask = _TRAILING_ASK.search(tail)
    if ask is not None:
        story = (head + tail[: ask.start()]).rstrip(" ,;:-")
    return story, named


def short_title(story: str) -> str:
    """The first clause of ``story``, at most ``TITLE_MAX_WORDS`` words, capitalised.

    A longer clause ends where a phrase starts ("... the connection | every hour", "... water |
    all over the floor"), never mid-phrase, and never on a word like "the" or "over".
    """
    clause = _CLAUSE_END.split(story.strip(), maxsplit=1)[0]
    words = clause.split()
    if len(words) > TITLE_MAX_WORDS:
        words = words[: _phrase_end(words)]
    while len(words) > 1 and _bare(words[-1]) in _PHRASE_WORDS:
        words.pop()
    title = " ".join(words).strip(" -")
    return title[:1].upper() + title[1:]


def _phrase_end(words: list[str]) -> int:
    """How many of ``words`` to keep: up to the last phrase start within the limit."""
    for keep in range(TITLE_MAX_WORDS, TITLE_MIN_WORDS - 1, -1):
        if _bare(words[keep]) in _PHRASE_WORDS and _bare(words[keep - 1]) not in _PHRASE_WORDS:
            return keep
    return TITLE_MAX_WORDS


def _bare(word: str) -> str:
    return word.lower().strip(".,;:!?'\"()")

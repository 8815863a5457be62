"""Typical messages that are not training examples, with the intent and entities each should get.

Entities are ``(entity, value)`` after synonym mapping, so priorities are Low, Medium, High or
Critical. bench/nlu.py scores models on these and sends them to time the server.
"""

from __future__ import annotations

from typing import NamedTuple


class Probe(NamedTuple):
    """A message and what the NLU should find in it."""

    text: str
    intent: str
    entities: tuple[tuple[str, str], ...] = ()


PROBES: tuple[Probe, ...] = (
    Probe("hello there", "greet"),
    Probe("good morning casebot", "greet"),
    Probe("Hey! 😀", "greet"),
    Probe("ok thanks bye", "goodbye"),
    Probe("bye for now", "goodbye"),
    Probe("yes correct", "affirm"),
    Probe("yeah go ahead", "affirm"),
    Probe("nope not that", "deny"),
    Probe("no that's wrong", "deny"),
    Probe("thank you very much!", "thank"),
    Probe("cheers for that", "thank"),
    Probe("am i talking to a bot", "bot_challenge"),
    Probe("are you a real human?", "bot_challenge"),
    Probe("what's the weather like in London", "out_of_scope"),
    Probe("tell me a funny joke", "out_of_scope"),
    Probe("I want to raise a new case", "open_case"),
    Probe("my parcel never arrived", "open_case"),
    Probe("pls help my internet is down", "open_case"),
    Probe(
        "Hi, I bought a laptop three weeks ago and the battery already won't hold a charge, "
        "I've tried everything",
        "open_case",
    ),
    Probe("open a ticket, it's urgent", "open_case", (("priority", "High"),)),
    Probe("I was billed twice this month", "open_case"),
    Probe("status C-1050 ?", "check_case_status", (("case_ref", "C-1050"),)),
    Probe("what's the status of case 10000001", "check_case_status", (("case_ref", "10000001"),)),
    Probe("where is my ticket", "check_case_status"),
    Probe("any update on my last case?", "check_case_status"),
    Probe("is c-2077 fixed yet", "check_case_status", (("case_ref", "c-2077"),)),
    Probe(
        "status of 2026112300000005",
        "check_case_status",
        (("case_ref", "2026112300000005"),),
    ),
    Probe("show me my cases", "list_cases"),
    Probe("open cases for +44 7700 900124", "list_cases", (("phone", "+44 7700 900124"),)),
    Probe("show my high priority cases", "list_cases", (("priority", "High"),)),
    Probe("list cases for ann@example.com", "list_cases", (("email", "ann@example.com"),)),
    Probe("what tickets do I have", "list_cases"),
    Probe(
        "add a note to case 10000002: the courier called",
        "add_case_comment",
        (("case_ref", "10000002"),),
    ),
    Probe("I want to add a comment to my ticket", "add_case_comment"),
    Probe("add a note to C-1042", "add_case_comment", (("case_ref", "C-1042"),)),
    Probe("change the priority to low", "update_case", (("priority", "Low"),)),
    Probe("change my email to x@z.com pls", "update_case", (("email", "x@z.com"),)),
    Probe(
        "change the phone number to +44 7700 900555", "update_case", (("phone", "+44 7700 900555"),)
    ),
    Probe(
        "set C-1042 to high priority",
        "update_case",
        (("case_ref", "C-1042"), ("priority", "High")),
    ),
    Probe("change the title of my case", "update_case"),
    Probe("please close my case", "close_case"),
    Probe("close ticket 10000005", "close_case", (("case_ref", "10000005"),)),
    Probe("it's fixed now, you can close it", "close_case"),
    Probe("set C-1043 to resolved", "close_case", (("case_ref", "C-1043"),)),
    Probe("I want to speak to a person", "request_human"),
    Probe("get me a human agent", "request_human"),
    Probe("cancel it", "cancel"),
    Probe("forget it, stop", "cancel"),
    Probe("it's urgent!", "inform", (("priority", "High"),)),
    Probe("asap pls", "inform", (("priority", "High"),)),
    Probe("Critical!", "inform", (("priority", "Critical"),)),
    Probe("not urgent at all", "inform", (("priority", "Low"),)),
    Probe("normal priority", "inform", (("priority", "Medium"),)),
    Probe("low", "inform", (("priority", "Low"),)),
    Probe("mary.p@example.com", "inform", (("email", "mary.p@example.com"),)),
    Probe("my email is sam.jones@example.org", "inform", (("email", "sam.jones@example.org"),)),
    Probe("+44 7700 900321", "inform", (("phone", "+44 7700 900321"),)),
    Probe("call me on 07700 900654", "inform", (("phone", "07700 900654"),)),
    # a problem stated on its own opens a case ("Parcel lost" is open_case in the data);
    # inside the case form the same words are taken as the title whatever the intent
    Probe("Printer jammed", "open_case"),
    Probe("Router broken", "open_case"),
)

"""Whole conversations through the gateway, with the case checked in the sandbox via boto3."""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
import httpx
import pytest

from tests.e2e.conftest import DOMAIN_ID, Stack

pytestmark = pytest.mark.e2e

FIELD_IDS = {
    "description": "3b8e2f60-5a41-4c9d-8e77-0c2d4f6a8b10",
    "contact": "6d1a9c47-2e83-4b5f-9a60-7c3e5b1d2f21",
    "priority": "9f4c2b18-7d65-4a3e-b1c0-2e8d6f4a9c32",
    "origin": "1e7b5d29-8c46-4f1a-a3d2-5b9e7c1f3a43",
}


def say(stack: Stack, sender: str, text: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{stack.gateway_url}/webchat/messages",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()
    return replies


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def fill_form(stack: Stack, sender: str, title: str, description: str, priority: str) -> str:
    """Answer the case form up to its summary, with jane.doe@example.com as the contact."""
    say(stack, sender, "open a case")
    say(stack, sender, title)
    say(stack, sender, description)
    say(stack, sender, "jane.doe@example.com")
    return texts(say(stack, sender, priority))


def find_by_title(stack: Stack, title: str) -> list[dict[str, Any]]:
    client = stack.cases_client()
    found = client.search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "title", "value": {"stringValue": title}}}},
        fields=[{"id": "reference_number"}, {"id": "title"}],
    )
    return [dict(c) for c in found["cases"]]


def test_conversation_opens_case_readable_with_boto3(stack: Stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    title = f"Parcel lost {uuid.uuid4().hex[:6]}"
    description = "My parcel 4471 never arrived although tracking says it was delivered on Monday."

    assert "open a support case" in texts(say(stack, sender, "hi")).lower()
    asked_title = texts(say(stack, sender, "I want to open a case"))
    assert "what is it about" in asked_title.lower()
    asked_description = texts(say(stack, sender, title))
    assert "describe" in asked_description.lower()
    asked_contact = texts(say(stack, sender, description))
    assert "reach you" in asked_contact.lower()
    priority_question = say(stack, sender, "jane.doe@example.com")
    assert "urgent" in texts(priority_question).lower()
    assert [b["title"] for b in priority_question[0]["buttons"]] == [
        "Low",
        "Medium",
        "High",
        "Critical",
    ]
    summary = say(stack, sender, "urgent")
    summary_text = texts(summary)
    assert title in summary_text
    assert "jane.doe@example.com" in summary_text
    assert any(r.get("buttons") for r in summary), summary
    assert find_by_title(stack, title) == [], "no case may exist before the user confirms"

    created = texts(say(stack, sender, "yes"))
    refs = re.findall(r"\b\d{8}\b", created)
    assert refs, created

    client = stack.cases_client()
    matches = find_by_title(stack, title)
    assert len(matches) == 1
    case = client.get_case(
        domainId=DOMAIN_ID,
        caseId=matches[0]["caseId"],
        fields=[
            {"id": f}
            for f in ("title", "reference_number", "status", "customer_id", *FIELD_IDS.values())
        ],
    )
    values = {f["id"]: f["value"].get("stringValue") for f in case["fields"]}
    assert values["title"] == title
    assert values["reference_number"] == refs[0]
    assert values[FIELD_IDS["description"]] == description
    assert values[FIELD_IDS["contact"]] == "jane.doe@example.com"
    assert values[FIELD_IDS["priority"]] == "High"
    assert values[FIELD_IDS["origin"]] == "webchat"
    assert case["tags"].get("channel") == "webchat"
    # an email typed by an anonymous webchat user may be anyone's: it reaches the case for
    # agents, but no Customer Profile is found or made for it
    profiles = boto3.client(
        "customer-profiles",
        endpoint_url=stack.cases_endpoint.replace("/connectcases", "/profiles"),
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    found = profiles.search_profiles(
        DomainName="casebot", KeyName="_email", Values=["jane.doe@example.com"]
    )["Items"]
    assert found == []
    assert values.get("customer_id") is None


def test_cancel_mid_form_creates_no_case(stack: Stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    title = f"Printer jammed {uuid.uuid4().hex[:6]}"

    say(stack, sender, "open a case")
    assert "describe" in texts(say(stack, sender, title)).lower()
    cancelled = texts(say(stack, sender, "cancel"))
    assert "cancel" in cancelled.lower()

    assert find_by_title(stack, title) == []
    # the conversation carries on normally afterwards: a new case starts from the beginning
    assert "what is it about" in texts(say(stack, sender, "open a case")).lower()


def test_messages_out_of_place_are_answered_and_then_a_person_is_offered(stack: Stack) -> None:
    # a phone number out of the blue is understood (inform) but nothing asked for it
    sender = f"e2e-{uuid.uuid4().hex[:8]}"

    first = say(stack, sender, "+44 7700 900123")
    second = say(stack, sender, "+44 7700 900123")

    assert "say it another way" in texts(first), first
    assert "person from our team" in texts(second), second
    assert {b["payload"] for b in second[0]["buttons"]} >= {"/request_human"}
    # the conversation goes on normally afterwards
    assert "what is it about" in texts(say(stack, sender, "I want to open a case")).lower()


def test_an_answer_the_confirmation_cannot_take_is_answered_once_and_the_form_asks_again(
    stack: Stack,
) -> None:
    """A message the form rejects was answered by the fallback ten times over, and the
    conversation never listened again: every later message got no answer at all."""
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    title = f"Parcel lost {uuid.uuid4().hex[:6]}"
    summary = fill_form(stack, sender, title, "Due Monday, tracking says delivered.", "high")
    assert "Shall I open it?" in summary

    out_of_place = say(stack, sender, "web")

    assert [r.get("text", "").split("\n")[0] for r in out_of_place] == [
        "Sorry, I didn't get that. Could you say it another way, or pick one of these?",
        "Here's the case I'll open:",
    ]
    created = texts(say(stack, sender, "yes"))
    assert re.search(r"\b\d{8}\b", created), created
    assert len(find_by_title(stack, title)) == 1
    assert "bye" in texts(say(stack, sender, "bye")).lower()


def test_cancel_my_case_after_it_was_opened_offers_to_close_it(stack: Stack) -> None:
    """ "cancel my case" after the case was filed got "nothing in progress to cancel" alone."""
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    title = f"Router down {uuid.uuid4().hex[:6]}"
    fill_form(stack, sender, title, "It stopped working after the storm last night.", "low")
    ref = re.findall(r"\b\d{8}\b", texts(say(stack, sender, "yes")))[0]

    answer = say(stack, sender, "cancel my case")

    buttons = [b for r in answer for b in r.get("buttons") or []]
    assert {"title": "Close a case", "payload": "/close_case"} in buttons, answer
    asked = texts(say(stack, sender, "/close_case"))
    assert f"Close case {ref}" in asked
    assert "is closed" in texts(say(stack, sender, "yes"))

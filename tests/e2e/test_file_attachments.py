"""Files a WhatsApp user sends end up on their case in the sandbox, read back with boto3.

The turns go to Rasa's REST channel exactly as the gateway sends them for a WhatsApp message
with an image: the intent ``share_file`` (caption as its entity) and the saved file under the
metadata's ``media``.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.e2e.conftest import DOMAIN_ID, Stack

pytestmark = pytest.mark.e2e

PHOTO = b"\xff\xd8\xff\xe0 a photo of the router's red light"


def replies_to(
    stack: Stack, number: str, text: str, media: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    metadata: dict[str, Any] = {
        "channel": "whatsapp",
        "origin": "WhatsApp",
        "role": "customer",
        "contact": f"+{number}",
        "phone": f"+{number}",
    }
    if media:
        metadata["media"] = media
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": f"whatsapp:{number}", "message": text, "metadata": metadata},
        # the token the gateway sends: Rasa's REST channel takes no message without it
        headers={"Authorization": f"Bearer {stack.env['RASA_API_TOKEN']}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()
    return replies


def turn(stack: Stack, number: str, text: str, media: list[dict[str, Any]] | None = None) -> str:
    return "\n".join(reply.get("text", "") for reply in replies_to(stack, number, text, media))


def photo(stack: Stack, media_id: str) -> list[dict[str, Any]]:
    path = Path(stack.env["WHATSAPP_MEDIA_DIR"]) / f"{media_id}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PHOTO)
    return [{"id": media_id, "mime_type": "image/jpeg", "filename": None, "path": str(path)}]


def file_items(stack: Stack, case_id: str) -> list[str]:
    items = stack.cases_client().search_related_items(
        domainId=DOMAIN_ID, caseId=case_id, filters=[{"file": {}}]
    )["relatedItems"]
    return [item["content"]["file"]["fileArn"] for item in items]


def test_photo_sent_mid_form_is_on_the_new_case_and_a_later_one_goes_straight_there(
    stack: Stack,
) -> None:
    number = f"4477009{random.randrange(10**5):05d}"
    title = f"Router shows a red light {uuid.uuid4().hex[:6]}"
    caption = json.dumps({"caption": title})

    assert "what is it about" in turn(stack, number, "/open_case").lower()
    replies = turn(stack, number, f"/share_file{caption}", photo(stack, f"m1{number}"))
    assert "attach it to the case as soon as it's open" in replies
    answers = {
        "describe": "Since Monday the router's light is red and nothing connects.",
        "reach you": "jane.doe@example.com",
        "urgent": "urgent",
    }
    for _ in range(4):
        if title in replies:
            break
        replies = turn(stack, number, next(a for q, a in answers.items() if q in replies.lower()))
    assert title in replies, replies
    created = turn(stack, number, "yes")
    [ref] = re.findall(r"\b\d{8}\b", created.split("\n")[0])
    assert f"attached image-m1{number}.jpg to case {ref}" in created

    later = turn(stack, number, "/share_file", photo(stack, f"m2{number}"))
    assert f"attached image-m2{number}.jpg to case {ref}" in later

    found = stack.cases_client().search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "reference_number", "value": {"stringValue": ref}}}},
    )["cases"]
    [case] = found
    arns = file_items(stack, case["caseId"])
    assert len(arns) == 2
    connect = boto3.client(
        "connect",
        endpoint_url=stack.env["CONNECT_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    case_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{DOMAIN_ID}/case/{case['caseId']}"
    names = set()
    for arn in arns:
        stored = connect.get_attached_file(
            InstanceId=stack.env["CONNECT_INSTANCE_ID"],
            FileId=arn.rsplit("/", 1)[1],
            AssociatedResourceArn=case_arn,
        )
        assert (stored["FileStatus"], stored["FileSizeInBytes"]) == ("APPROVED", len(PHOTO))
        names.add(stored["FileName"])
    assert names == {f"image-m1{number}.jpg", f"image-m2{number}.jpg"}


def test_photo_out_of_the_blue_waits_for_the_customer_to_pick_their_case(stack: Stack) -> None:
    number = f"4477008{random.randrange(10**5):05d}"
    client = stack.cases_client()
    fields = {
        "title": "Invoice wrong",
        "3b8e2f60-5a41-4c9d-8e77-0c2d4f6a8b10": "Charged twice in March.",
        "6d1a9c47-2e83-4b5f-9a60-7c3e5b1d2f21": f"+{number}",
        "9f4c2b18-7d65-4a3e-b1c0-2e8d6f4a9c32": "Medium",
    }
    template = stack.env["CONNECT_CASES_TEMPLATE_ID"]
    case_id = client.create_case(
        domainId=DOMAIN_ID,
        templateId=template,
        fields=[{"id": k, "value": {"stringValue": v}} for k, v in fields.items()],
    )["caseId"]
    ref = client.get_case(domainId=DOMAIN_ID, caseId=case_id, fields=[{"id": "reference_number"}])[
        "fields"
    ][0]["value"]["stringValue"]

    asked = replies_to(stack, number, "/share_file", photo(stack, f"m3{number}"))
    assert "Which case is it for?" in asked[0]["text"]
    payloads = [button["payload"] for button in asked[0]["buttons"]]
    # the case by reference and id, so the pick attaches to exactly this case
    assert payloads == [f'/attach_files{{"case_ref": "{ref}#{case_id}"}}', "/open_case"]
    assert file_items(stack, case_id) == []

    picked = turn(stack, number, payloads[0])

    assert f"attached image-m3{number}.jpg to case {ref}" in picked
    assert len(file_items(stack, case_id)) == 1

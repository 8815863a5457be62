"""The SES v2 stand-in: SendEmail as strict as SES for what casebot sends, and what it sent kept
for tests (and people) to read at ``/_sandbox/ses/outbound-emails``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox.settings import SandboxSettings
from tests.unit.sandbox.conftest import SandboxServer

SENT = "/_sandbox/ses/outbound-emails"
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=sandbox/20261207/us-east-1/ses/aws4_request,"
    " SignedHeaders=host, Signature=0",
    "Content-Type": "application/json",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    settings = SandboxSettings(
        db_path=tmp_path_factory.mktemp("ses") / "db.sqlite3",
        seed_file=None,
        ses_verified_identities="casebot@example.com, mail.example.net",
    )
    server = SandboxServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def ses(server: SandboxServer) -> Any:
    httpx.delete(f"{server.url}{SENT}")
    return boto3.client(
        "sesv2",
        endpoint_url=f"{server.url}/ses",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}),
    )


def simple(text: str = "Your one-time code is 123456.") -> dict[str, Any]:
    return {"Simple": {"Subject": {"Data": "Your code"}, "Body": {"Text": {"Data": text}}}}


def refused(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response
    return (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    )


def test_a_sent_email_is_kept_and_read_back_by_recipient(ses: Any, server: SandboxServer) -> None:
    answer = ses.send_email(
        FromEmailAddress="Casebot <casebot@example.com>",
        Destination={"ToAddresses": ["Kim@Example.org"], "CcAddresses": ["lee@example.org"]},
        Content=simple(),
    )
    ses.send_email(
        FromEmailAddress="casebot@example.com",
        Destination={"ToAddresses": ["other@example.org"]},
        Content=simple("another"),
    )

    kims = httpx.get(f"{server.url}{SENT}", params={"to": "kim@example.org"}).json()
    assert [mail["MessageId"] for mail in kims] == [answer["MessageId"]]
    assert kims[0]["FromEmailAddress"] == "casebot@example.com"
    assert kims[0]["To"] == ["Kim@example.org", "lee@example.org"]
    assert (kims[0]["Subject"], kims[0]["Text"]) == ("Your code", "Your one-time code is 123456.")
    assert len(httpx.get(f"{server.url}{SENT}").json()) == 2
    assert httpx.get(f"{server.url}/_sandbox/calls").json()["sesv2"]["SendEmail"] >= 2

    httpx.delete(f"{server.url}{SENT}")
    assert httpx.get(f"{server.url}{SENT}").json() == []


def test_a_sender_of_a_verified_domain_may_send(ses: Any, server: SandboxServer) -> None:
    ses.send_email(
        FromEmailAddress="codes@mail.example.net",
        Destination={"ToAddresses": ["kim@example.org"]},
        Content=simple(),
    )

    assert len(httpx.get(f"{server.url}{SENT}").json()) == 1


def test_an_unverified_sender_is_rejected_as_ses_rejects_it(
    ses: Any, server: SandboxServer
) -> None:
    status, code, message = refused(
        ses.send_email,
        FromEmailAddress="noreply@example.net",
        Destination={"ToAddresses": ["kim@example.org"]},
        Content=simple(),
    )

    assert (status, code) == (400, "MessageRejected")
    assert message == (
        "Email address is not verified. The following identities failed the check in region"
        " US-EAST-1: noreply@example.net"
    )
    assert httpx.get(f"{server.url}{SENT}").json() == []


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"Destination": {"ToAddresses": ["kim@example.org"]}}, "Missing required header 'From'."),
        ({"FromEmailAddress": "casebot@example.com"}, "Missing required parameter: Destination."),
        (
            {"FromEmailAddress": "casebot@example.com", "Destination": {"ToAddresses": []}},
            "Missing required parameter: Destination.",
        ),
        (
            {
                "FromEmailAddress": "casebot@example.com",
                "Destination": {"ToAddresses": [f"p{n}@example.org" for n in range(51)]},
            },
            "Recipient count exceeds 50.",
        ),
        (
            {"FromEmailAddress": "casebot@example.com", "Destination": {"ToAddresses": ["kim"]}},
            "Illegal address: kim",
        ),
    ],
    ids=["no sender", "no destination", "no recipient", "51 recipients", "not an address"],
)
def test_what_ses_refuses_is_refused(ses: Any, params: dict[str, Any], wanted: str) -> None:
    assert refused(ses.send_email, Content=simple(), **params) == (
        400,
        "BadRequestException",
        wanted,
    )


def test_content_other_than_a_simple_message_with_a_body_is_refused(ses: Any) -> None:
    where = {"FromEmailAddress": "casebot@example.com", "Destination": {"ToAddresses": ["k@x.io"]}}
    raw = {"Raw": {"Data": b"From: casebot@example.com\r\n\r\nhi"}}
    empty_body = {"Simple": {"Subject": {"Data": "s"}, "Body": {}}}

    assert refused(ses.send_email, Content=raw, **where)[1] == "BadRequestException"
    assert refused(ses.send_email, Content=empty_body, **where) == (
        400,
        "BadRequestException",
        "Body must have Text or Html.",
    )


def test_the_model_and_a_signature_are_required_on_the_wire(server: SandboxServer) -> None:
    url = f"{server.url}/ses/v2/email/outbound-emails"
    no_content = httpx.post(
        url, content=json.dumps({"FromEmailAddress": "casebot@example.com"}), headers=SIGNED
    )
    unsigned = httpx.post(url, json={"Content": simple()})

    assert no_content.status_code == 400
    assert no_content.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "Content" in no_content.json()["message"]
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"

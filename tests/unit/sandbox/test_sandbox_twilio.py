from __future__ import annotations

import hashlib

import httpx
import pytest
from pydantic import SecretStr

from api.channels.twilio.client import TwilioClient, TwilioError, TwilioUnavailable
from sandbox.settings import SandboxSettings

SID = SandboxSettings.model_fields["twilio_account_sid"].default
TOKEN = SandboxSettings.model_fields["twilio_auth_token"].default
MESSAGES = f"/twilio/2010-04-01/Accounts/{SID}/Messages.json"
BUSINESS = "whatsapp:+14155238886"
USER = "whatsapp:+16505551234"


@pytest.fixture(autouse=True)
def fresh_stand_in(http: httpx.Client) -> None:
    http.post("/twilio/_twilio/reset")


@pytest.fixture
async def twilio(sandbox):
    async with httpx.AsyncClient() as http:
        yield TwilioClient(http, f"{sandbox.url}/twilio", SID, SecretStr(TOKEN))


def test_send_without_the_accounts_credentials_is_refused_in_twilios_error_shape(http):
    fields = {"From": BUSINESS, "To": USER, "Body": "hi"}

    missing = http.post(MESSAGES, data=fields)
    wrong = http.post(MESSAGES, data=fields, auth=(SID, "not-the-token"))
    other_account = http.post(
        "/twilio/2010-04-01/Accounts/AC99999999999999999999999999999999/Messages.json",
        data=fields,
        auth=(SID, TOKEN),
    )

    for response in (missing, wrong, other_account):
        assert response.status_code == 401
        assert response.json()["code"] == 20003
        assert response.json()["more_info"].endswith("/20003")
    assert http.get("/twilio/_twilio/sent").json() == []


async def test_sent_messages_get_a_sid_and_are_listed(twilio, http):
    sid = await twilio.send({"From": BUSINESS, "To": USER, "Body": "Your case is open."})

    assert sid is not None and sid.startswith("SM") and len(sid) == 34
    [entry] = http.get("/twilio/_twilio/sent").json()
    assert entry["sid"] == sid
    assert (entry["from"], entry["to"], entry["body"]) == (BUSINESS, USER, "Your case is open.")
    assert entry["account_sid"] == SID
    assert http.get("/_sandbox/calls").json()["twilio"]["CreateMessage"] >= 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"From": BUSINESS, "To": "whatsapp:12345", "Body": "hi"}, 21211),
        ({"From": BUSINESS, "To": USER, "Body": "  "}, 21602),
        ({"From": BUSINESS, "To": USER, "Body": "x" * 1601}, 21617),
        ({"From": BUSINESS, "To": "+16505551234", "Body": "hi"}, 63007),
    ],
)
async def test_messages_twilio_would_refuse_are_refused_with_its_codes(twilio, fields, code):
    with pytest.raises(TwilioError) as caught:
        await twilio.send(fields)

    assert caught.value.status == 400
    assert caught.value.code == code
    assert not caught.value.is_transient


async def test_planned_failures_come_first_and_429_is_transient(twilio, http):
    http.post("/twilio/_twilio/fail", json={"status": 429, "code": 20429, "count": 1})

    with pytest.raises(TwilioUnavailable) as caught:
        await twilio.send({"From": BUSINESS, "To": USER, "Body": "hi"})
    sid = await twilio.send({"From": BUSINESS, "To": USER, "Body": "hi"})

    assert caught.value.is_transient and caught.value.code == 20429
    assert [entry["error_code"] for entry in http.get("/twilio/_twilio/sent").json()] == [
        20429,
        None,
    ]
    assert sid is not None


async def test_registered_media_is_served_to_the_account_only(twilio, http, tmp_path):
    picture = b"\x89PNG a screenshot"
    registered = http.post(
        "/twilio/_twilio/media", content=picture, headers={"Content-Type": "image/png"}
    ).json()

    saved = await twilio.download(registered["url"], tmp_path / "shot.png", 1024)
    anonymous = http.get(registered["url"])

    assert registered["url"].startswith(http.base_url.join("/twilio/2010-04-01/").__str__())
    assert saved.path.read_bytes() == picture
    assert saved.sha256 == hashlib.sha256(picture).hexdigest()
    assert anonymous.status_code == 401
    with pytest.raises(TwilioError, match="larger than 4 bytes"):
        await twilio.download(registered["url"], tmp_path / "big.png", 4)
    assert not (tmp_path / "big.png").exists()

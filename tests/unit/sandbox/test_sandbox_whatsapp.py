from __future__ import annotations

import hashlib

import httpx
import pytest
from pydantic import SecretStr

from api.channels.whatsapp.client import GraphClient, GraphError
from api.channels.whatsapp.outbound import text_message
from sandbox.settings import SandboxSettings

TOKEN = SandboxSettings.model_fields["whatsapp_access_token"].default
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MESSAGES = "/whatsapp/v21.0/106540352242922/messages"
TO = "16505551234"


@pytest.fixture(autouse=True)
def fresh_stand_in(http: httpx.Client) -> None:
    http.post("/whatsapp/_whatsapp/reset")


def send(http: httpx.Client, body: dict, headers: dict | None = None) -> httpx.Response:
    return http.post(MESSAGES, json=body, headers=AUTH if headers is None else headers)


def test_send_without_the_bearer_token_is_refused_in_graphs_error_shape(http):
    missing = send(http, text_message(TO, "hi"), headers={})
    wrong = send(http, text_message(TO, "hi"), headers={"Authorization": "Bearer nope"})

    for response in (missing, wrong):
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == 190
        assert error["type"] == "OAuthException"
        assert error["message"] and error["fbtrace_id"]
    assert http.get("/whatsapp/_whatsapp/sent").json() == []


def test_sent_messages_get_a_wamid_and_are_listed(http):
    response = send(http, text_message(TO, "Your case is open."))

    assert response.status_code == 200
    wamid = response.json()["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    [entry] = http.get("/whatsapp/_whatsapp/sent").json()
    assert entry["wamid"] == wamid
    assert entry["phone_number_id"] == "106540352242922"
    assert entry["body"]["text"]["body"] == "Your case is open."


def test_planned_failures_hit_the_next_sends_only(http):
    plan = http.post("/whatsapp/_whatsapp/fail", json={"code": 131047, "count": 2})

    statuses = [send(http, text_message(TO, f"m{n}")) for n in range(3)]

    assert plan.json() == {"pending_failures": 2}
    assert [r.status_code for r in statuses] == [400, 400, 200]
    assert [r.json().get("error", {}).get("code") for r in statuses[:2]] == [131047, 131047]
    sent = http.get("/whatsapp/_whatsapp/sent").json()
    assert [e["error_code"] for e in sent] == [131047, 131047, None]


def test_a_planned_failure_can_choose_its_http_status(http):
    http.post("/whatsapp/_whatsapp/fail", json={"code": 2, "status": 503})

    response = send(http, text_message(TO, "hi"))

    assert response.status_code == 503
    assert response.json()["error"]["code"] == 2


def test_bodies_over_graphs_limits_are_refused(http):
    too_many_buttons = {
        "messaging_product": "whatsapp",
        "to": TO,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pick"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": str(n), "title": f"B{n}"}} for n in range(4)
                ]
            },
        },
    }
    long_text = text_message(TO, "x" * 4097)

    for body in (too_many_buttons, long_text):
        response = send(http, body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 100


def test_registered_media_is_described_and_downloadable_with_the_token(http):
    content = b"\x89PNG a screenshot of the error"
    registered = http.post(
        "/whatsapp/_whatsapp/media", content=content, headers={"Content-Type": "image/png"}
    ).json()

    info = http.get(f"/whatsapp/v21.0/{registered['id']}", headers=AUTH)
    url = info.json()["url"]
    download = http.get(url, headers=AUTH)
    anonymous = http.get(url)
    unknown = http.get("/whatsapp/v21.0/999", headers=AUTH)

    assert info.status_code == 200
    assert info.json()["mime_type"] == "image/png"
    assert info.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert info.json()["file_size"] == len(content)
    assert url.startswith(f"{http.base_url}/whatsapp/")
    assert download.content == content
    assert anonymous.status_code == 401
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100


def test_calls_are_counted_under_whatsapp(http):
    http.post("/_sandbox/calls/reset")
    registered = http.post("/whatsapp/_whatsapp/media", content=b"x").json()

    send(http, text_message(TO, "hi"))
    http.get(f"/whatsapp/v21.0/{registered['id']}", headers=AUTH)

    assert http.get("/_sandbox/calls").json()["whatsapp"] == {"GetMedia": 1, "SendMessage": 1}


async def test_the_gateways_graph_client_works_against_the_running_sandbox(sandbox, tmp_path):
    content = b"%PDF-1.7 a receipt"
    with httpx.Client(base_url=sandbox.url) as http:
        media_id = http.post(
            "/whatsapp/_whatsapp/media",
            content=content,
            headers={"Content-Type": "application/pdf"},
        ).json()["id"]

    async with httpx.AsyncClient() as network:
        graph = GraphClient(
            network, f"{sandbox.url}/whatsapp", "v21.0", "106540352242922", SecretStr(TOKEN)
        )
        wamid = await graph.send(text_message(TO, "over the network"))
        info = await graph.media_info(media_id)
        saved = await graph.download(info.url, tmp_path / "receipt.pdf", max_bytes=1024)
        with pytest.raises(GraphError) as too_big:
            await graph.download(info.url, tmp_path / "big.pdf", max_bytes=4)

    assert wamid is not None and wamid.startswith("wamid.")
    assert saved.path.read_bytes() == content
    assert saved.sha256 == hashlib.sha256(content).hexdigest() == info.sha256
    assert too_big.value.code is None
    assert not (tmp_path / "big.pdf").exists()
    assert not (tmp_path / "big.pdf.part").exists()

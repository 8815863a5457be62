"""What ``POST /webchat/messages`` accepts: every field has a limit, every bad body a 4xx."""

from __future__ import annotations

import json

import pytest


async def post_raw(client, body: str | bytes, content_type: str = "application/json"):
    return await client.post(
        "/webchat/messages", content=body, headers={"Content-Type": content_type}
    )


@pytest.mark.parametrize(
    "sender",
    ["", "has space", "slash/es", "<script>", "é", "a" * 129, "line\nbreak"],
)
async def test_a_sender_outside_the_pattern_gets_422_and_rasa_is_not_asked(
    client, fake_rasa, sender
):
    response = await client.post("/webchat/messages", json={"sender": sender, "message": "hi"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sender"]
    assert fake_rasa.messages() == []


async def test_the_longest_sender_and_message_allowed_pass(client_with, fake_rasa):
    client = await client_with(gateway_max_message_chars=50, gateway_max_body_bytes=400)

    response = await client.post(
        "/webchat/messages", json={"sender": "a" * 128, "message": "é" * 50}
    )

    assert response.status_code == 200
    assert fake_rasa.messages()[0]["sender"] == "webchat:" + "a" * 128


async def test_a_message_one_character_too_long_gets_413_with_the_limit(client_with, fake_rasa):
    client = await client_with(gateway_max_message_chars=50, gateway_max_body_bytes=400)

    response = await client.post("/webchat/messages", json={"sender": "ann", "message": "x" * 51})

    assert response.status_code == 413
    assert "under 50 characters" in response.json()["detail"]
    assert fake_rasa.messages() == []


@pytest.mark.parametrize(
    "body",
    [
        "{",
        "not json",
        "[]",
        "null",
        '"text"',
        "{}",
        '{"sender": "ann"}',
        '{"sender": "ann", "message": 5}',
        '{"sender": "ann", "message": ["hi"]}',
        '{"sender": ["ann"], "message": "hi"}',
        '{"sender": "ann", "message": "   "}',
        '{"sender": "ann", "message": "hi", "metadata": []}',
        '{"sender": "ann", "message": "hi", "metadata": "x"}',
        '{"sender": 1e999, "message": "hi"}',
        '{"sender": NaN, "message": "hi"}',
        '{"sender": "a\\ud800", "message": "hi"}',
        '{"sender": "ann", "message": "hi\\udfff"}',
    ],
)
async def test_malformed_json_and_wrong_types_get_422_never_500(client, fake_rasa, body):
    response = await post_raw(client, body)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert fake_rasa.messages() == []


async def test_nesting_deeper_than_the_parser_takes_is_a_4xx(client, fake_rasa):
    deep = '{"sender": "ann", "message": "hi", "metadata": {"x": ' + "[" * 5000
    deep += "]" * 5000 + "}}"

    response = await post_raw(client, deep)

    assert response.status_code in (400, 422)
    assert fake_rasa.messages() == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"sender": "ann", "message": "hi"}'),
        ("application/x-www-form-urlencoded", "sender=ann&message=hi"),
        ("application/json", b"\xff\xfe{"),
    ],
)
async def test_bodies_that_are_not_json_get_4xx(client, fake_rasa, content_type, body):
    response = await post_raw(client, body, content_type)

    assert 400 <= response.status_code < 500
    assert fake_rasa.messages() == []


async def test_client_metadata_up_to_the_limit_reaches_rasa_under_client(client_with, fake_rasa):
    client = await client_with(webchat_max_metadata_bytes=64)
    metadata = {"page": "x" * 53}  # {"page":"x...x"} is exactly 64 bytes of compact JSON
    assert len(json.dumps(metadata, separators=(",", ":"))) == 64

    response = await client.post(
        "/webchat/messages", json={"sender": "ann", "message": "hi", "metadata": metadata}
    )

    assert response.status_code == 200
    assert fake_rasa.messages()[0]["metadata"]["client"] == metadata


async def test_client_metadata_over_the_limit_gets_413_counting_bytes(client_with, fake_rasa):
    client = await client_with(webchat_max_metadata_bytes=64)
    # 27 two-byte characters: 38 characters of JSON, but 65 bytes
    metadata = {"page": "é" * 27}

    response = await client.post(
        "/webchat/messages", json={"sender": "ann", "message": "hi", "metadata": metadata}
    )

    assert response.status_code == 413
    assert "at most 64 bytes" in response.json()["detail"]
    assert fake_rasa.messages() == []


async def test_client_metadata_nested_deeper_than_allowed_gets_422(client_with, fake_rasa):
    client = await client_with(webchat_max_metadata_depth=3)
    fits = {"a": {"b": [1]}}
    too_deep = {"a": {"b": [[1]]}}

    ok = await client.post(
        "/webchat/messages", json={"sender": "ann", "message": "hi", "metadata": fits}
    )
    refused = await client.post(
        "/webchat/messages", json={"sender": "ann", "message": "hi", "metadata": too_deep}
    )

    assert ok.status_code == 200
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "metadata"]
    assert "3 levels" in refused.json()["detail"][0]["msg"]
    assert len(fake_rasa.messages()) == 1


@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "Infinity", '"\\ud800"'])
async def test_client_metadata_that_has_no_json_for_rasa_gets_422_not_500(client, fake_rasa, value):
    body = '{"sender": "ann", "message": "hi", "metadata": {"v": ' + value + "}}"

    response = await post_raw(client, body)

    assert response.status_code == 422
    assert fake_rasa.messages() == []


async def test_a_body_over_the_byte_limit_gets_413_before_it_is_parsed(client_with, fake_rasa):
    client = await client_with(gateway_max_message_chars=100, gateway_max_body_bytes=400)

    response = await post_raw(client, '{"sender": "ann", "message": "' + "x" * 500 + "}")

    assert response.status_code == 413
    assert "at most 400 bytes" in response.json()["detail"]

from __future__ import annotations

from api.conversation import Inbound


def test_conversation_id_is_namespaced_by_channel():
    webchat = Inbound(channel="webchat", sender="15551234567", text="hi", origin="webchat")
    whatsapp = Inbound(channel="whatsapp", sender="15551234567", text="hi", origin="WhatsApp")

    assert webchat.conversation_id == "webchat:15551234567"
    assert whatsapp.conversation_id == "whatsapp:15551234567"


def test_metadata_carries_channel_origin_and_role():
    inbound = Inbound(channel="webchat", sender="a", text="hi", origin="webchat")

    assert inbound.rasa_metadata() == {
        "channel": "webchat",
        "origin": "webchat",
        "role": "customer",
    }


def test_metadata_carries_contact_when_the_channel_knows_it():
    inbound = Inbound(
        channel="whatsapp", sender="a", text="hi", origin="WhatsApp", contact="+15551234567"
    )

    assert inbound.rasa_metadata()["contact"] == "+15551234567"


def test_client_metadata_is_nested_and_cannot_replace_gateway_keys():
    client = {"channel": "voice", "role": "agent", "contact": "x", "origin": "Voice", "lang": "de"}
    inbound = Inbound(
        channel="webchat", sender="a", text="hi", origin="webchat", client_metadata=client
    )

    assert inbound.rasa_metadata() == {
        "channel": "webchat",
        "origin": "webchat",
        "role": "customer",
        "client": client,
    }

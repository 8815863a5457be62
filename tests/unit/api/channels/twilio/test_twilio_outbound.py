from __future__ import annotations

from api.channels.twilio.outbound import BODY_LIMIT, choice_payload, latest_buttons, render
from api.channels.twilio.payload import message_text, parse_params
from api.rasa import BotMessage, Button

OPTIONS = [Button(title="Low", payload="priority_low"), Button(title="High", payload="p_high")]


def test_long_text_is_split_within_twilios_limit_on_line_boundaries():
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(40))

    bodies = render(BotMessage(text=text))

    assert len(bodies) > 1
    assert all(len(body["Body"]) <= BODY_LIMIT for body in bodies)
    assert "\n".join(body["Body"] for body in bodies) == text


def test_buttons_without_text_are_just_the_numbered_list_and_images_their_own_message():
    bodies = render(BotMessage(buttons=OPTIONS, image="https://example.com/a.png"))

    assert bodies == [{"Body": "1. Low\n2. High"}, {"MediaUrl": "https://example.com/a.png"}]


def test_an_answer_by_number_or_title_names_an_option_and_anything_else_none():
    assert choice_payload("1.", OPTIONS) == "priority_low"
    assert choice_payload(" high ", OPTIONS) == "p_high"
    assert choice_payload("3", OPTIONS) is None
    assert choice_payload("0", OPTIONS) is None
    assert choice_payload("low priority please", OPTIONS) is None
    assert choice_payload("1", []) is None


def test_the_options_answered_next_are_the_last_message_with_buttons():
    messages = [BotMessage(text="a", buttons=OPTIONS[:1]), BotMessage(text="b", buttons=OPTIONS)]

    assert latest_buttons(messages) == OPTIONS
    assert latest_buttons([BotMessage(text="no options")]) == []


def test_a_location_becomes_a_line_of_text_and_media_counts_are_capped():
    shared = parse_params(
        [
            ("MessageSid", "SM1"),
            ("From", "whatsapp:+16505551234"),
            ("Latitude", "52.37"),
            ("Longitude", "4.89"),
            ("Label", "Depot"),
            ("NumMedia", "99"),
            ("MediaUrl0", "https://api.twilio.com/m0"),
        ]
    )

    assert message_text(shared) == "Location: 52.37, 4.89 (Depot)"
    assert [item.url for item in shared.media] == ["https://api.twilio.com/m0"]
    assert shared.phone == "+16505551234" and shared.has_valid_sender

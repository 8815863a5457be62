from __future__ import annotations

import pytest

from api.channels.whatsapp.outbound import render, template_message
from api.outbound import split_text
from api.rasa import BotMessage
from sandbox.whatsapp.validation import validate_message

TO = "16505551234"


def bot(**fields) -> BotMessage:
    return BotMessage.model_validate(fields)


def buttons(*titles: str) -> list[dict[str, str]]:
    return [{"title": t, "payload": f'/inform{{"choice":"{i}"}}'} for i, t in enumerate(titles)]


def test_plain_text_is_one_text_message():
    [body] = render(bot(text="Your case CASE-7 is open."), TO)

    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "text": {"body": "Your case CASE-7 is open.", "preview_url": False},
    }


def test_long_text_is_split_on_line_then_word_boundaries():
    lines = [f"line {n:04d} " + " ".join(["word"] * 30) for n in range(60)]
    text = "\n".join(lines)

    pieces = split_text(text, 4096)

    assert len(text) > 4096 and len(pieces) > 1
    assert all(len(piece) <= 4096 for piece in pieces)
    assert "\n".join(pieces) == text.strip()
    # every cut fell between lines
    assert all(piece.split("\n")[-1] in lines for piece in pieces)


def test_a_single_long_line_is_cut_between_words_and_a_huge_word_mid_word():
    words = " ".join(f"w{n}" for n in range(3000))
    huge = "x" * 9000

    by_words = split_text(words, 4096)
    by_force = split_text(huge, 4096)

    assert " ".join(by_words) == words
    assert all(len(p) <= 4096 and not p.startswith(" ") for p in by_words)
    assert all(p.split(" ")[-1].startswith("w") for p in by_words)
    assert [len(p) for p in by_force] == [4096, 4096, 808]


def test_rendered_long_text_makes_several_messages_in_order():
    text = ("Paragraph one. " * 200).strip() + "\n" + ("Paragraph two. " * 200).strip()

    bodies = render(bot(text=text), TO)

    assert [b["type"] for b in bodies] == ["text", "text"]
    assert bodies[0]["text"]["body"].startswith("Paragraph one.")
    assert bodies[1]["text"]["body"].startswith("Paragraph two.")


def test_up_to_three_buttons_are_reply_buttons_with_payload_ids_and_cut_titles():
    message = bot(
        text="How urgent is it?",
        buttons=buttons("High", "Medium", "Low - whenever you have a moment"),
    )

    [body] = render(message, TO)

    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "How urgent is it?"}
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == [b["payload"] for b in message.model_dump()["buttons"]]
    assert [r["title"] for r in replies] == ["High", "Medium", "Low - whenever you…"]
    assert all(len(r["title"]) <= 20 for r in replies)


def test_titles_that_cut_to_the_same_text_stay_unique():
    message = bot(
        text="Which one?",
        buttons=buttons("Printer on floor two broken", "Printer on floor two jammed"),
    )

    [body] = render(message, TO)

    titles = [b["reply"]["title"] for b in body["interactive"]["action"]["buttons"]]
    assert len(set(titles)) == 2 and all(len(t) <= 20 for t in titles)


def test_more_than_three_buttons_become_a_list_with_rows_cut_to_24():
    message = bot(
        text="Pick a case",
        buttons=buttons("CASE-1", "CASE-2", "CASE-3", "CASE-4 printer smoking in the office"),
    )

    [body] = render(message, TO)

    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Choose"
    [section] = interactive["action"]["sections"]
    rows = section["rows"]
    assert [r["id"] for r in rows] == [b["payload"] for b in message.model_dump()["buttons"]]
    assert rows[3]["title"] == "CASE-4 printer smoking…"
    assert rows[3]["description"] == "CASE-4 printer smoking in the office"
    assert "description" not in rows[0]


def test_more_than_ten_buttons_spread_over_several_lists():
    message = bot(text="Pick a case", buttons=buttons(*(f"CASE-{n}" for n in range(23))))

    bodies = render(message, TO)

    rows = [
        [row["title"] for row in b["interactive"]["action"]["sections"][0]["rows"]] for b in bodies
    ]
    assert [len(r) for r in rows] == [10, 10, 3]
    assert sum(rows, []) == [f"CASE-{n}" for n in range(23)]
    assert bodies[0]["interactive"]["body"]["text"] == "Pick a case"


def test_buttons_with_a_long_text_send_the_start_as_text_and_the_end_as_body():
    text = "\n".join(f"Case {n}: " + " ".join(["details"] * 20) for n in range(10))

    bodies = render(bot(text=text, buttons=buttons("Yes", "No")), TO)

    assert [b["type"] for b in bodies[:-1]] == ["text"] * (len(bodies) - 1)
    assert len(bodies[-1]["interactive"]["body"]["text"]) <= 1024
    shown = [b["text"]["body"] for b in bodies[:-1]] + [bodies[-1]["interactive"]["body"]["text"]]
    assert "\n".join(shown) == text


def test_buttons_without_text_get_a_prompt():
    [body] = render(bot(buttons=buttons("Yes", "No")), TO)

    assert body["interactive"]["body"]["text"]


def test_image_and_whatsapp_custom_payloads_follow_the_text():
    custom = {"whatsapp": {"type": "location", "location": {"latitude": 1.5, "longitude": 2.5}}}

    bodies = render(bot(text="Here:", image="https://example.com/map.png", custom=custom), TO)

    assert [b["type"] for b in bodies] == ["text", "image", "location"]
    assert bodies[1]["image"] == {"link": "https://example.com/map.png"}
    assert bodies[2]["to"] == TO and bodies[2]["messaging_product"] == "whatsapp"


def test_template_message_names_the_template_and_language():
    body = template_message(TO, "case_update", "en_US")

    assert body["type"] == "template"
    assert body["template"] == {"name": "case_update", "language": {"code": "en_US"}}


@pytest.mark.parametrize(
    "message",
    [
        {"text": "x" * 10_000},
        {"text": "Pick", "buttons": buttons("A" * 40, "A" * 41, "A" * 42)},
        {"text": "y " * 900, "buttons": buttons(*(f"Option number {n} " * 3 for n in range(14)))},
        {"buttons": buttons("Only")},
    ],
)
def test_every_rendered_body_is_within_graphs_limits(message):
    bodies = render(bot(**message), TO)

    assert bodies
    for body in bodies:
        validate_message(body)

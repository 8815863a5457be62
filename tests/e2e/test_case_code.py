"""A customer proves yesterday's case is theirs with a one-time code, through the running stack.

The whole stack from the Procfile, with codes mailed through the sandbox's SES stand-in. The
case is filed the day before, as the assistant would file it; the customer comes back in a
fresh, anonymous webchat conversation with its reference and reads the code from the mail.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.test_case_access import WebchatUser, file_case, missing_ref
from tests.support.stack import MODEL, Stack, running_stack, stack_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    tmp = tmp_path_factory.mktemp("code-stack")
    env = stack_env(tmp)
    env.update(
        {
            "OTP_EMAIL_SENDER": "casebot@example.com",
            "SES_ENDPOINT_URL": f"http://127.0.0.1:{env['SANDBOX_PORT']}/ses",
            "SANDBOX_SES_VERIFIED_IDENTITIES": "casebot@example.com",
            "OTP_DB": str(tmp / "otp.sqlite3"),
            "OTP_HASH_KEY": uuid.uuid4().hex * 2,
        }
    )
    with running_stack(tmp, env) as running:
        yield running


def sandbox(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.env['SANDBOX_PORT']}"


def mailed(stack: Stack, to: str) -> list[dict[str, str]]:
    answer = httpx.get(f"{sandbox(stack)}/_sandbox/ses/outbound-emails", params={"to": to})
    answer.raise_for_status()
    return list(answer.json())


def code_mailed_to(stack: Stack, to: str) -> str:
    """The code in the mail to ``to``, once it has arrived (it is sent after the answer)."""
    deadline = time.monotonic() + 30
    while not (mails := mailed(stack, to)):
        assert time.monotonic() < deadline, f"no code mailed to {to}"
        time.sleep(0.2)
    [mail] = mails
    found = re.search(r"\b\d{6}\b", mail["Text"])
    assert found is not None, mail
    return found.group()


def said(user: WebchatUser, text: str) -> list[str]:
    return [reply.get("text", "") for reply in json.loads(user.say(text))]


def test_a_customer_gets_yesterdays_case_by_a_code_read_from_the_mail(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    contact = f"jo.{tag}@example.org"
    _, ref = file_case(stack, f"Boiler knocking {tag}", contact)
    jo = WebchatUser(stack)

    offer = said(jo, f"hi, whats the status of {ref}?")
    assert f"I can't show you case {ref} here" in offer[0]
    assert f"Boiler knocking {tag}" not in " ".join(offer)

    sent = said(jo, contact)
    assert sent == [
        f"If that matches case {ref}, a code is on its way to j***@example.org. Type it here"
        " when it arrives; it works for 10 minutes."
    ]
    code = code_mailed_to(stack, contact)

    answer = said(jo, f"the code is {code[:3]} {code[3:]}")

    assert answer[0] == "Thanks, that's the right code."
    assert answer[1].startswith(f"Case {ref}: Boiler knocking {tag}")
    # the case is theirs in this conversation from now on
    assert f"Boiler knocking {tag}" in " ".join(said(jo, f"any update on {ref}"))


def test_a_wrong_reference_and_a_wrong_contact_hear_what_the_owner_hears(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    contact = f"al.{tag}@example.org"
    _, ref = file_case(stack, f"Fridge {tag}", contact)
    missing = missing_ref(stack)
    heard = []
    for asked, typed in ((missing, contact), (ref, f"a.other.{tag}@example.org"), (ref, contact)):
        stranger = WebchatUser(stack)
        words = said(stranger, f"status of {asked}") + said(stranger, typed)
        words += said(stranger, "123456" if typed != contact else "code: 000000")
        heard.append([text.replace(asked, "<ref>") for text in words])

    assert heard[0] == heard[1]
    # the owner's code is real, so only the code typed differs: the words do not
    assert heard[2] == heard[0]
    assert len(mailed(stack, contact)) == 1
    assert mailed(stack, f"a.other.{tag}@example.org") == []

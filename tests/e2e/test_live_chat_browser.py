"""A live chat with a person, in two headless Chromium windows: the customer's and the agent's.

The whole stack with ``HANDOFF_MODE=connect_chat`` on the action server and the gateway: the
customer opens a case on the webchat page and asks for a person; the agent, on the sandbox's
agent page, accepts the chat and answers; the customer reads the answer and replies; the agent
ends the chat, the assistant is back, and the case holds the contact and the chat's transcript.
Each sees the other typing.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from api.handoff.relay import BACK
from tests.e2e.test_webchat_browser import Page
from tests.support.stack import DOMAIN_ID, MODEL, Stack, running_stack, stack_env

pytestmark = pytest.mark.e2e

SECONDS = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    tmp = tmp_path_factory.mktemp("live-chat-stack")
    env = stack_env(tmp)
    env.update(live_chat_env(env, tmp))
    with running_stack(tmp, env) as running:
        yield running


def live_chat_env(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """The settings that hand a customer to a person in the sandbox's Amazon Connect chat."""
    return {
        "HANDOFF_MODE": "connect_chat",
        "CONNECT_CHAT_CONTACT_FLOW_ID": "e2e-live-chat-flow",
        "CONNECT_PARTICIPANT_ENDPOINT_URL": (
            f"http://127.0.0.1:{env['SANDBOX_PORT']}/connectparticipant"
        ),
        "HANDOFF_RELAY_DB": str(tmp / "handoff-relay.sqlite3"),
        "HANDOFF_AGENT_WAIT_SECONDS": "600",
    }


def chromium() -> WebDriver:
    found, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not found or not driver:
        pytest.fail("no chromium or chromedriver: scripts/ensure-chromium.sh installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = found
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument("--window-size=900,900")
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture(scope="module")
def customer() -> Iterator[WebDriver]:
    browser = chromium()
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def agent() -> Iterator[WebDriver]:
    browser = chromium()
    yield browser
    browser.quit()


def wait_for(browser: WebDriver, check: Callable[[], Any], what: str) -> Any:
    """``check()`` once it is truthy; fails naming ``what`` after ``SECONDS``."""
    return WebDriverWait(browser, SECONDS, poll_frequency=0.2).until(
        lambda _: check(), message=f"waited in vain for {what}"
    )


def write(page: Page, text: str) -> None:
    """The customer types ``text`` and sends it, expecting no answer from the assistant."""
    box = page.browser.find_element(By.ID, "chat-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait_for(
        page.browser,
        lambda: (
            text in [li.text for li in page.browser.find_elements(By.CSS_SELECTOR, "li.msg")]
            and not page.browser.find_elements(By.CSS_SELECTOR, "li.msg.failed, li.msg.error")
        ),
        f"{text!r} sent",
    )


def transcript_lines(agent: WebDriver) -> list[str]:
    return [li.text for li in agent.find_elements(By.CSS_SELECTOR, "#transcript li")]


def related(stack: Stack, case_id: str, kind: str) -> list[dict[str, Any]]:
    found = stack.cases_client().search_related_items(
        domainId=DOMAIN_ID, caseId=case_id, filters=[{kind: {}}]
    )
    return [dict(item) for item in found["relatedItems"]]


def case_id_of(stack: Stack, ref: str) -> str:
    found = stack.cases_client().search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "reference_number", "value": {"stringValue": ref}}}},
    )
    [case] = found["cases"]
    return str(case["caseId"])


def test_a_customer_chats_with_an_agent_on_the_page_and_the_case_keeps_the_chat(
    stack: Stack, customer: WebDriver, agent: WebDriver
) -> None:
    sandbox = stack.cases_endpoint.removesuffix("/connectcases")
    customer.get(f"{stack.gateway_url}/")
    page = Page(customer)
    title = f"Broken kettle {uuid.uuid4().hex[:6]}"
    page.say("I want to open a case")
    page.say(title)
    page.say("It stopped heating after a week.")
    page.say("kettle.owner@example.com")
    page.press("High")
    created = page.press("Yes")
    [ref] = re.findall(r"\b\d{8}\b", created)[:1]

    handed = page.say("I want to talk to a person")
    assert ref in handed, handed

    # the agent finds the chat waiting on the desk, with the case beside it, and accepts it
    agent.get(f"{sandbox}/connect/agent")
    link = wait_for(
        agent,
        lambda: agent.find_elements(By.CSS_SELECTOR, "#waiting a"),
        "the chat among the waiting ones",
    )[0]
    link.click()
    wait_for(agent, lambda: ref in agent.find_element(By.TAG_NAME, "dl").text, "the case ref")
    assert "open a case" in " ".join(transcript_lines(agent))
    agent.find_element(By.XPATH, "//button[text()='Accept chat']").click()
    joined = wait_for(
        customer,
        lambda: [t for t in page.bot_texts() if "has joined the chat" in t],
        "the agent joining on the customer's page",
    )
    assert joined == ["Agent from our team has joined the chat."]

    answer = f"Hello, I can see case {ref}: a new kettle is on its way ({uuid.uuid4().hex[:4]})."
    box = wait_for(agent, lambda: agent.find_elements(By.NAME, "content"), "the reply box")[0]
    box.send_keys(answer)
    wait_for(
        customer,
        lambda: customer.find_element(By.ID, "chat-typing").is_displayed(),
        "the agent typing, on the customer's page",
    )
    agent.find_element(By.XPATH, "//form[@id='reply']/button").click()
    wait_for(customer, lambda: answer in page.bot_texts(), "the agent's answer on the page")

    reply = f"Thank you, that is quick ({uuid.uuid4().hex[:4]})"
    customer.find_element(By.ID, "chat-input").send_keys("Th")
    wait_for(
        agent,
        lambda: "is typing" in agent.find_element(By.ID, "typing").text,
        "the customer typing, on the agent page",
    )
    customer.find_element(By.ID, "chat-input").clear()
    write(page, reply)
    wait_for(
        agent,
        lambda: f"Customer: {reply}" in transcript_lines(agent),
        "the customer's reply on the agent page",
    )
    # the assistant kept quiet while the person spoke
    assert page.bot_texts()[-1] == answer

    agent.find_element(By.XPATH, "//button[text()='End chat']").click()
    wait_for(customer, lambda: page.bot_texts()[-1] == BACK, "the assistant back on the page")
    assert page.bot_texts().count(BACK) == 1
    after = page.say("hello")
    assert after.strip() and after != BACK

    case_id = case_id_of(stack, ref)
    deadline = time.monotonic() + SECONDS
    while True:
        comments = [
            item["content"]["comment"]["body"] for item in related(stack, case_id, "comment")
        ]
        filed = [body for body in comments if answer in body]
        if filed or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(filed) == 1, comments
    assert f"Customer: {reply}" in filed[0]
    assert filed[0].index(answer) < filed[0].index(reply)
    contacts = related(stack, case_id, "contact")
    assert len(contacts) == 1, contacts
    assert contacts[0]["content"]["contact"]["contactArn"].startswith("arn:aws:connect:")

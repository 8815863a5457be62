"""The webchat page in headless Chromium: a case chatted into existence, checked in the sandbox."""

from __future__ import annotations

import functools
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import DOMAIN_ID, ROOT, Stack

pytestmark = pytest.mark.e2e

SCREENSHOT = ROOT / "var" / "webchat.png"
REPLY_SECONDS = 60


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("no chromium or chromedriver: scripts/ensure-chromium.sh installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument("--window-size=480,900")
    browser = webdriver.Chrome(service=Service(driver), options=options)
    yield browser
    browser.quit()


class Page:
    """The chat page as a user sees it."""

    def __init__(self, browser: WebDriver) -> None:
        self.browser = browser

    def bot_texts(self) -> list[str]:
        return [item.text for item in self.browser.find_elements(By.CSS_SELECTOR, "li.msg.bot")]

    def say(self, text: str) -> str:
        """Type ``text``, send it with Enter, and return the bot's answer to it."""
        before = len(self.bot_texts())
        box = self.browser.find_element(By.ID, "chat-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)
        return self._answer_after(before)

    def press(self, title: str) -> str:
        """Press the live button titled ``title`` and return the bot's answer."""
        before = len(self.bot_texts())
        buttons = self.browser.find_elements(By.CSS_SELECTOR, "li.msg.bot button:not([disabled])")
        [button] = [b for b in buttons if b.text.strip() == title]
        button.click()
        return self._answer_after(before)

    def _answer_after(self, before: int) -> str:
        def answered(_: Any) -> bool:
            errors = self.browser.find_elements(By.CSS_SELECTOR, "li.msg.error")
            assert not errors, errors[-1].text
            return len(self.bot_texts()) > before

        WebDriverWait(self.browser, REPLY_SECONDS).until(answered)
        return "\n".join(self.bot_texts()[before:])


def find_case(stack: Stack, title: str) -> list[dict[str, Any]]:
    found = stack.cases_client().search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "title", "value": {"stringValue": title}}}},
        fields=[{"id": "reference_number"}, {"id": "title"}],
    )
    return [dict(case) for case in found["cases"]]


def test_case_chatted_into_existence_in_the_page_is_in_the_sandbox(
    stack: Stack, browser: WebDriver
) -> None:
    browser.get(f"{stack.gateway_url}/")
    page = Page(browser)
    title = f"Parcel lost {uuid.uuid4().hex[:6]}"
    description = "Tracking says <b>delivered</b> on Monday but nothing came."

    page.say("I want to open a case")
    page.say(title)
    page.say(description)
    page.say("jane.doe@example.com")
    summary = page.press("High")
    assert title in summary
    created = page.press("Yes")

    refs = re.findall(r"\b\d{8}\b", created)
    assert refs, created
    [case] = find_case(stack, title)
    fields = {field["id"]: field["value"]["stringValue"] for field in case["fields"]}
    assert fields["reference_number"] == refs[0]
    # what the user typed is shown as text, never as markup
    log = browser.find_element(By.ID, "chat-log")
    assert log.find_elements(By.TAG_NAME, "b") == []
    assert "<b>delivered</b>" in log.text
    # every message went over the websocket: the page made no POST to the fallback endpoint
    posted = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('webchat/messages'))"
    )
    assert posted == []
    Path(SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))

    # the conversation survives a reload of the page
    shown_before = page.bot_texts()
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda _: page.bot_texts() == shown_before)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_site(stack: Stack, root: Path, port: int) -> ThreadingHTTPServer:
    """Another website (another origin) on ``port`` that embeds the chat with the snippet."""
    (root / "index.html").write_text(
        "<!doctype html><html><body><h1>Shop</h1>"
        f'<script src="{stack.gateway_url}/static/embed.js" data-title="Help" defer></script>'
        "</body></html>"
    )
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def host_site(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The one other origin the stack's WEBCHAT_ALLOWED_ORIGINS lets embed the chat."""
    port = int(stack.env["HOST_SITE_PORT"])
    server = serve_site(stack, tmp_path_factory.mktemp("host-site"), port)
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def unlisted_site(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A website whose origin WEBCHAT_ALLOWED_ORIGINS does not list."""
    server = serve_site(stack, tmp_path_factory.mktemp("unlisted-site"), 0)
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_a_site_not_on_the_list_cannot_show_the_chat(
    browser: WebDriver, unlisted_site: str
) -> None:
    browser.get(unlisted_site)
    launcher = WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "casebot-launcher"))
    launcher.click()
    frame = browser.find_element(By.ID, "casebot-frame")
    browser.switch_to.frame(frame)
    try:
        WebDriverWait(browser, 10).until(
            lambda b: b.execute_script("return document.readyState") == "complete"
        )
        time.sleep(1)
        # the browser refuses the page (frame-ancestors): nothing of the chat is in the frame
        chat = browser.find_elements(By.ID, "chat-input")
    finally:
        browser.switch_to.default_content()

    assert chat == []


def test_snippet_embeds_a_working_chat_in_another_site(browser: WebDriver, host_site: str) -> None:
    browser.get(host_site)
    launcher = WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "casebot-launcher"))
    frame = browser.find_element(By.ID, "casebot-frame")
    assert not frame.is_displayed()

    launcher.click()
    browser.switch_to.frame(frame)
    try:
        answer = Page(browser).say("hello")
    finally:
        browser.switch_to.default_content()

    assert launcher.get_attribute("aria-expanded") == "true"
    assert answer.strip()

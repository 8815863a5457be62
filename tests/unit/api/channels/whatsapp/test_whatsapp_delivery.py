from __future__ import annotations

import time

import httpx
import pytest
from pydantic import SecretStr

from api.channels.whatsapp.client import GraphClient
from api.channels.whatsapp.delivery import Deliverer, Template
from api.channels.whatsapp.outbound import text_message
from api.channels.whatsapp.store import WhatsAppStore
from api.outbound import Backoff
from sandbox.whatsapp.errors import GraphApiError
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState

TOKEN = "graph-token-for-tests"
PHONE_NUMBER_ID = "106540352242922"
TO = "16505551234"
TEMPLATE = Template("case_update", "en_US")


class Setup:
    def __init__(self, graph: GraphState, store: WhatsAppStore, http: httpx.AsyncClient) -> None:
        self.graph = graph
        self.store = store
        self.http = http
        self.calls: list[str] = []
        self.sleeps: list[float] = []

    def deliverer(
        self, template: Template | None = TEMPLATE, attempts: int = 4, token: str = TOKEN
    ) -> Deliverer:
        client = GraphClient(
            self.http, "http://graph.test", "v21.0", PHONE_NUMBER_ID, SecretStr(token)
        )

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        return Deliverer(client, self.store, template, Backoff(attempts, 0.5, 4.0), sleep)

    def attempts(self) -> list[tuple[str, int | None]]:
        return [(entry["body"]["type"], entry["error_code"]) for entry in self.graph.sent]


@pytest.fixture
async def setup(tmp_path):
    graph = GraphState()
    calls: list[str] = []
    app = whatsapp_app(graph, TOKEN, on_call=calls.append)
    store = WhatsAppStore.open(tmp_path / "wa.sqlite3")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        ready = Setup(graph, store, http)
        ready.calls = calls
        await store.saw_user(TO, time.time())
        yield ready
    await store.close()


def texts(*bodies: str) -> list[dict]:
    return [text_message(TO, body) for body in bodies]


async def test_messages_are_sent_in_order_with_the_bearer_token(setup):
    await setup.deliverer().deliver(TO, texts("one", "two"))

    assert [e["body"]["text"]["body"] for e in setup.graph.sent] == ["one", "two"]
    assert {e["phone_number_id"] for e in setup.graph.sent} == {PHONE_NUMBER_ID}
    assert {e["version"] for e in setup.graph.sent} == {"v21.0"}
    deliveries = await setup.store.deliveries(TO)
    assert [(d.kind, d.outcome, d.attempts) for d in deliveries] == [
        ("text", "sent", 1),
        ("text", "sent", 1),
    ]
    assert [d.wamid for d in deliveries] == [e["wamid"] for e in setup.graph.sent]
    assert setup.calls == ["SendMessage", "SendMessage"]


@pytest.mark.parametrize(
    ("code", "status"),
    [(130429, None), (131056, None), (2, 503), (1, 500), (131000, 429)],
)
async def test_throttling_and_server_errors_are_retried_with_growing_delays(setup, code, status):
    setup.graph.fail_next(GraphApiError(code, status=status), 3)

    await setup.deliverer(attempts=5).deliver(TO, texts("hello"))

    assert setup.attempts() == [("text", code)] * 3 + [("text", None)]
    assert setup.sleeps == [0.5, 1.0, 2.0]
    [delivery] = await setup.store.deliveries(TO)
    assert (delivery.outcome, delivery.attempts) == ("sent", 4)


async def test_retries_stop_after_the_last_attempt_and_the_failure_is_recorded(setup):
    setup.graph.fail_next(GraphApiError(130429), 10)

    await setup.deliverer(attempts=3).deliver(TO, texts("one", "two"))

    assert setup.attempts() == [("text", 130429)] * 3
    [delivery] = await setup.store.deliveries(TO)
    assert (delivery.outcome, delivery.attempts, delivery.error_code) == ("failed", 3, 130429)
    assert "Rate limit" in delivery.error_title


async def test_window_closed_error_sends_the_template_instead_of_the_rest(setup):
    setup.graph.fail_next(GraphApiError(131047), 1)

    await setup.deliverer().deliver(TO, texts("one", "two"))

    assert setup.attempts() == [("text", 131047), ("template", None)]
    assert setup.graph.sent[1]["body"]["template"] == {
        "name": "case_update",
        "language": {"code": "en_US"},
    }
    deliveries = await setup.store.deliveries(TO)
    assert [(d.kind, d.outcome, d.error_code) for d in deliveries] == [
        ("text", "window_closed", 131047),
        ("template", "sent", None),
    ]
    assert setup.sleeps == []


async def test_other_client_errors_are_recorded_without_retry_and_the_rest_dropped(setup):
    setup.graph.fail_next(GraphApiError(131026), 1)

    await setup.deliverer().deliver(TO, texts("one", "two"))

    assert setup.attempts() == [("text", 131026)]
    [delivery] = await setup.store.deliveries(TO)
    assert (delivery.outcome, delivery.attempts, delivery.error_code) == ("failed", 1, 131026)
    assert setup.sleeps == []


async def test_a_wrong_access_token_is_a_recorded_failure(setup):
    await setup.deliverer(token="expired").deliver(TO, texts("one"))

    assert setup.graph.sent == []
    [delivery] = await setup.store.deliveries(TO)
    assert (delivery.outcome, delivery.error_code) == ("failed", 190)


async def test_outside_the_window_only_the_template_is_sent(setup, tmp_path):
    stale = WhatsAppStore.open(tmp_path / "stale.sqlite3")
    await stale.saw_user(TO, time.time() - 25 * 3600)
    setup.store = stale

    await setup.deliverer().deliver(TO, texts("one", "two"))

    assert setup.attempts() == [("template", None)]
    assert [d.kind for d in await stale.deliveries(TO)] == ["template"]
    await stale.close()


async def test_a_user_never_seen_is_outside_the_window(setup):
    await setup.deliverer().deliver("15550009999", [text_message("15550009999", "hi")])

    assert setup.attempts() == [("template", None)]


async def test_without_a_template_nothing_is_sent_outside_the_window_and_that_is_recorded(
    setup,
):
    await setup.deliverer(template=None).deliver("15550009999", texts("hi"))

    assert setup.graph.sent == []
    [delivery] = await setup.store.deliveries("15550009999")
    assert (delivery.kind, delivery.outcome) == ("template", "failed")


async def test_each_message_graph_accepted_is_counted_as_sent_before_the_next_goes(setup):
    progress: list[tuple[int, int]] = []

    async def sent(count: int) -> None:
        progress.append((count, len(setup.graph.sent)))

    await setup.deliverer().deliver(TO, texts("one", "two", "three"), sent)
    # a message refused for good ends the delivery: nothing after it is counted
    setup.graph.sent.clear()
    setup.graph.fail_next(GraphApiError(131026), 1)
    await setup.deliverer().deliver(TO, texts("four", "five"), lambda n: sent(n + 10))

    assert progress == [(1, 1), (2, 2), (3, 3)]

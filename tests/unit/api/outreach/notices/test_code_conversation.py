"""A code by WhatsApp, end to end: a customer on webchat asks one action server for a code for a
case opened with their phone, the gateway sends it to that number on the Graph stand-in, and
they type what arrived to another action server, both keeping codes in one PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import SecretStr

from actions.kit.otp import OneTimeCodes
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus
from actions.otp.notifier import GatewayTexter
from actions.otp.postgres import PostgresCodeStore
from common.postgres import open_pool
from tests.unit.actions.fakes import FakeCases, responses
from tests.unit.actions.otp.chat import Chat
from tests.unit.api.outreach.notices.support import TOKEN

PHONE = "+447700900123"


async def test_a_code_asked_of_one_action_server_reaches_whatsapp_and_opens_the_case_on_another(
    start, postgres_url: str, tmp_path: Path
) -> None:
    gateway = await start()
    settings = ActionSettings(
        default_phone_region="GB",
        outbox_db=tmp_path / "outbox.sqlite3",
        otp_phone_channel="whatsapp",
    )
    texter = GatewayTexter(gateway.client, "http://gw.test", SecretStr(TOKEN))
    cases = FakeCases()
    cases.add("10000042", title="Boiler knocks", contact="07700 900123", case_id="id-1")
    pools = [open_pool(postgres_url), open_pool(postgres_url)]
    first, second = (
        OneTimeCodes(settings, PostgresCodeStore(pool), phone=texter, key=b"k" * 32)
        for pool in pools
    )
    try:
        asking = Chat(cases, settings, first)
        offered = await asking.ask_status("10000042")
        on_its_way = await asking.give_contact("+44 7700 900123")
        assert await first.settle() == [True]
        [sent] = gateway.whatsapp_sent()
        [code] = re.findall(
            r"\b\d{6}\b", sent["template"]["components"][0]["parameters"][0]["text"]
        )
        # the next turn of the same conversation reaches the other action server
        typing = Chat(cases, settings, second)
        typing.sender, typing.slots = asking.sender, asking.slots
        said = await typing.give_code(code, then=ActionCheckCaseStatus)
    finally:
        for pool in pools:
            pool.close()

    assert responses(offered) == ["utter_offer_code"]
    assert offered[0]["contact"] == "phone number"
    assert responses(on_its_way) == ["utter_code_on_its_way"]
    assert sent["to"] == PHONE[1:]
    assert responses(said)[0] == "utter_code_right"
    assert said[1]["text"].startswith("Case 10000042: Boiler knocks")

"""The gateway purges what it keeps while it runs: every store registered, media at start."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
from pydantic import SecretStr

from api.app import create_app
from api.jobs.retention import Housekeeper
from tests.unit.api.channels.whatsapp.support import eventually

DAY = 86_400.0


async def test_the_running_gateway_purges_every_store_and_old_media(
    settings_with, fake_rasa, tmp_path
):
    media = tmp_path / "media"
    media.mkdir()
    (media / "old.jpg").write_bytes(b"x")
    os.utime(media / "old.jpg", (time.time() - 8 * DAY,) * 2)
    (media / "new.jpg").write_bytes(b"y")
    settings = settings_with(
        whatsapp_app_secret=SecretStr("app-secret"),
        whatsapp_access_token=SecretStr("graph-token"),
        whatsapp_phone_number_id="106540352242922",
        whatsapp_queue_db=tmp_path / "whatsapp.sqlite3",
        whatsapp_media_dir=media,
        media_retention_days=7,
        twilio_auth_token=SecretStr("twilio-token"),
        twilio_account_sid="AC11111111111111111111111111111111",
        twilio_whatsapp_number="whatsapp:+14155238886",
        twilio_webhook_url="https://bot.example.com/webhooks/twilio",
        twilio_queue_db=tmp_path / "twilio.sqlite3",
        ivr_shared_secret=SecretStr("ivr-secret"),
        proactive_queue_db=tmp_path / "proactive.sqlite3",
        internal_api_token=SecretStr("internal-token"),
        notice_queue_db=tmp_path / "notices.sqlite3",
    )
    app = create_app(settings, transport=httpx.MockTransport(fake_rasa))

    async with app.router.lifespan_context(app):
        housekeeper: Housekeeper = app.state.housekeeper
        assert housekeeper.names == [
            "media",
            "notices buried jobs",
            "notices records",
            "outreach buried jobs",
            "outreach records",
            "twilio buried jobs",
            "twilio delivery records",
            "webchat inbox",
            "whatsapp buried jobs",
            "whatsapp delivery records",
        ]
        await eventually(lambda: not (media / "old.jpg").exists())
        assert (media / "new.jpg").exists()

    assert housekeeper.names == ["media"], "closed stores are purged no more"


async def test_one_failing_purge_does_not_stop_the_others() -> None:
    housekeeper = Housekeeper(every_seconds=3600)
    ran: list[str] = []

    async def broken() -> int:
        raise OSError("disk gone")

    async def fine() -> int:
        ran.append("fine")
        return 2

    housekeeper.add("a broken", broken)
    housekeeper.add("b fine", fine)

    assert await housekeeper.purge_once() == {"b fine": 2}
    housekeeper.start()
    await asyncio.sleep(0.05)
    await housekeeper.stop()
    assert ran == ["fine", "fine"]

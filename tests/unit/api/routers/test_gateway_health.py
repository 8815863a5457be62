from __future__ import annotations


async def test_healthz_is_ok_even_when_rasa_is_down(client, fake_rasa):
    fake_rasa.go_down()

    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert fake_rasa.requests == []


async def test_readyz_is_200_when_rasa_answers_its_status(client, fake_rasa):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"rasa": "ok", "actions": "ok", "backend": "ok"},
    }
    status, ready = fake_rasa.requests
    assert status.url.path == "/status"
    assert status.url.params["token"] == "rasa-token-for-tests"
    assert str(ready.url) == "http://127.0.0.1:5055/ready"


async def test_readyz_is_503_when_rasa_cannot_be_reached(client, fake_rasa):
    fake_rasa.go_down()

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["rasa"] == "unavailable"


async def test_readyz_is_503_when_rasa_has_no_model_loaded(client, fake_rasa):
    fake_rasa.status_status = 409

    response = await client.get("/readyz")

    assert response.status_code == 503


async def test_readyz_is_503_when_the_action_server_does_not_answer(client, fake_rasa):
    fake_rasa.actions_ready = None

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "rasa": "ok",
        "actions": "unavailable",
        "backend": "unknown",
    }


async def test_back_end_down_is_degraded_but_still_ready(client, fake_rasa):
    # cases wait in the outbox meanwhile, so the gateway keeps taking traffic
    fake_rasa.actions_ready = 503

    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"rasa": "ok", "actions": "ok", "backend": "unavailable"},
    }

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
    assert response.json() == {"status": "ready", "checks": {"rasa": "ok"}}
    [request] = fake_rasa.requests
    assert request.url.path == "/status"
    assert request.url.params["token"] == "rasa-token-for-tests"


async def test_readyz_is_503_when_rasa_cannot_be_reached(client, fake_rasa):
    fake_rasa.go_down()

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"rasa": "unavailable"}}


async def test_readyz_is_503_when_rasa_has_no_model_loaded(client, fake_rasa):
    fake_rasa.status_status = 409

    response = await client.get("/readyz")

    assert response.status_code == 503

"""deploy/: the compose file, Rasa's endpoints and the settings they document fit together.

Docker itself is not needed: these read the files the way compose and Rasa would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from api.settings import GatewaySettings
from cases.settings import CaseSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SECRETS = (
    "RASA_API_TOKEN",
    "ACTION_SERVER_TOKEN",
    "INTERNAL_API_TOKEN",
    "REDIS_PASSWORD",
    "RASA_TRACKER_DB_PASSWORD",
    "OTP_HASH_KEY",
)
SUBSTITUTION = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def documented() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def test_every_value_rasas_endpoints_need_reaches_the_rasa_container() -> None:
    endpoints = (DEPLOY / "endpoints.yml").read_text()
    needed = {
        match.group(1)
        for line in endpoints.splitlines()
        if not line.lstrip().startswith("#")
        for match in SUBSTITUTION.finditer(line)
    }
    rasa = compose()["services"]["rasa"]

    assert rasa["env_file"] == ".env"
    assert needed, "the endpoints come from the environment"
    assert needed <= set(rasa["environment"]) | set(documented())


def test_every_variable_compose_reads_is_documented_and_secrets_ship_empty() -> None:
    used = set(SUBSTITUTION.findall((DEPLOY / "compose.yaml").read_text()))
    values = documented()

    assert used <= set(values), used - set(values)
    assert {name: values[name] for name in SECRETS} == dict.fromkeys(SECRETS, "")


def test_rasa_locks_and_the_gateway_queue_use_separate_redis_databases() -> None:
    services = compose()["services"]
    queue_url = services["gateway"]["environment"]["GATEWAY_QUEUE_URL"]
    accepted = GatewaySettings(
        _env_file=None, rasa_api_token=SecretStr("t"), gateway_queue_url=SecretStr(queue_url)
    )

    assert accepted.gateway_queue_url is not None
    assert queue_url.endswith("@redis:6379/0")
    assert documented()["RASA_LOCK_REDIS_DB"] != "0"


def test_our_processes_share_one_image_and_run_as_their_procfile_entries_do() -> None:
    services = compose()["services"]
    commands = {name: services[name]["command"] for name in ("actions", "gateway", "sandbox")}

    assert {services[name]["build"]["dockerfile"] for name in commands} == {"deploy/Dockerfile"}
    assert commands["actions"][:4] == ["python", "-m", "rasa_sdk", "--actions"]
    assert commands["gateway"][:3] == ["python", "-m", "api.main"]
    assert commands["sandbox"][:3] == ["uvicorn", "sandbox.app:create_app", "--factory"]
    assert services["rasa"]["image"] == "rasa/rasa:3.6.21"
    assert "/app/deploy/endpoints.yml" in services["rasa"]["command"]
    assert services["rasa"]["entrypoint"] == ["python", "-m", "bot.server.run"]


def test_rasa_redis_and_postgres_are_reachable_from_the_internal_network_only() -> None:
    services = compose()["services"]
    networks = {
        name: set(service.get("networks", ["default"])) for name, service in services.items()
    }

    assert compose()["networks"]["internal"]["internal"] is True
    assert networks["rasa"] == networks["redis"] == networks["postgres"] == {"internal"}
    assert networks["gateway"] == {"public", "internal"}
    assert networks["actions"] == {"public", "internal"}
    # the stand-in for the internet's services is where they are
    assert networks["sandbox"] == {"public"}
    assert [name for name, service in services.items() if service.get("ports")] == ["gateway"]


def test_no_published_secret_ships_for_the_internet_facing_gateways() -> None:
    values = documented()

    assert "WHATSAPP_APP_SECRET" not in values
    assert "WHATSAPP_VERIFY_TOKEN" not in values


def test_the_action_servers_keep_their_outbox_in_rasas_postgresql() -> None:
    services = compose()["services"]
    actions = services["actions"]
    values = {**documented(), "RASA_TRACKER_DB_PASSWORD": "pw0123"}

    def filled(text: str) -> str:
        return SUBSTITUTION.sub(
            lambda m: values.get(m.group(1)) or m.group(0).partition(":-")[2].rstrip("}"), text
        )

    url = filled(actions["environment"]["ACTIONS_DATABASE_URL"])
    accepted = CaseSettings(_env_file=None, actions_database_url=SecretStr(url))

    assert accepted.actions_database_url is not None
    assert url == "postgresql://rasa:pw0123@postgres:5432/rasa"
    postgres = services["postgres"]["environment"]
    assert url.endswith("/" + filled(postgres["POSTGRES_DB"]))
    assert url.startswith(f"postgresql://{filled(postgres['POSTGRES_USER'])}:")
    assert actions["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "OUTBOX_DB" not in actions["environment"], "no replica keeps an outbox of its own"


def test_every_action_server_checks_the_codes_any_other_sent() -> None:
    actions = compose()["services"]["actions"]
    values = documented()

    # one hash key for every replica, required; the codes follow ACTIONS_DATABASE_URL
    assert actions["environment"]["OTP_HASH_KEY"].startswith("${OTP_HASH_KEY:?")
    assert "ACTIONS_DATABASE_URL" in actions["environment"]
    assert "OTP_DB" not in actions["environment"] and "OTP_DB" not in values
    # the codes by email go to the sandbox's SES stand-in until pointed at real SES
    assert values["SES_ENDPOINT_URL"] == "http://sandbox:8081/ses"
    assert values["OTP_PHONE_CHANNEL"] in ("none", "whatsapp")

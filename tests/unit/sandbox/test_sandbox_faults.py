from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError


@pytest.fixture
def faults(http: httpx.Client) -> Iterator[Callable[..., None]]:
    def set_faults(**faults: Any) -> None:
        response = http.put("/_sandbox/faults", json={"connectcases": faults})
        assert response.status_code == 200, response.text

    yield set_faults
    http.delete("/_sandbox/faults")


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    error = excinfo.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ({"error_share": 1.0}, ("InternalServerException", 500)),
        ({"throttle_share": 1.0}, ("ThrottlingException", 429)),
        ({"down": True}, ("ServiceUnavailableException", 503)),
    ],
)
def test_injected_failure_answers_an_aws_error_and_does_nothing(
    client: Any,
    ids: Any,
    valid_fields: Callable[..., list[dict[str, Any]]],
    faults: Callable[..., None],
    run_tag: dict[str, str],
    kind: dict[str, Any],
    expected: tuple[str, int],
) -> None:
    faults(**kind)

    with pytest.raises(ClientError) as failed:
        client.create_case(
            domainId=ids.domain, templateId=ids.template, fields=valid_fields(), tags=run_tag
        )
    faults()
    found = client.search_cases(
        domainId=ids.domain, filter={"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}}
    )

    assert error_code(failed) == expected
    assert found["cases"] == []


def test_lost_reply_does_the_work_so_a_retry_with_the_token_finds_the_case(
    client: Any,
    ids: Any,
    valid_fields: Callable[..., list[dict[str, Any]]],
    faults: Callable[..., None],
    run_tag: dict[str, str],
) -> None:
    request = {
        "domainId": ids.domain,
        "templateId": ids.template,
        "fields": valid_fields(),
        "tags": run_tag,
        "clientToken": f"lost-{run_tag['run']}",
    }
    faults(lost_reply_share=1.0)
    with pytest.raises(ClientError) as failed:
        client.create_case(**request)
    faults()

    retried = client.create_case(**request)
    found = client.search_cases(
        domainId=ids.domain, filter={"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}}
    )

    assert error_code(failed) == ("InternalServerException", 500)
    assert [case["caseId"] for case in found["cases"]] == [retried["caseId"]]


def test_timeout_holds_the_reply_past_the_clients_patience(
    sandbox: Any, ids: Any, valid_fields: Callable[..., list[dict[str, Any]]],
    faults: Callable[..., None], run_tag: dict[str, str],
) -> None:  # fmt: skip
    impatient = sandbox.client(read_timeout=0.5)
    faults(timeout_share=1.0, timeout_seconds=3)

    with pytest.raises(ReadTimeoutError):
        impatient.create_case(
            domainId=ids.domain, templateId=ids.template, fields=valid_fields(), tags=run_tag
        )


def test_faults_are_counted_and_cleared(
    client: Any, ids: Any, http: httpx.Client, faults: Callable[..., None]
) -> None:
    faults(throttle_share=1.0)
    for _ in range(3):
        with pytest.raises(ClientError):
            client.get_template(domainId=ids.domain, templateId=ids.template)
    counted = http.get("/_sandbox/faults").json()
    http.delete("/_sandbox/faults")

    client.get_template(domainId=ids.domain, templateId=ids.template)
    assert counted["injected"]["connectcases"]["throttle"] >= 3
    assert http.get("/_sandbox/faults").json()["faults"] == {}


def test_unknown_fault_settings_are_refused(http: httpx.Client) -> None:
    response = http.put("/_sandbox/faults", json={"connectcases": {"error_rate": 0.5}})

    assert response.status_code == 422

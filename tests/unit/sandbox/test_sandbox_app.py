from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from sandbox.app import create_app

SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=sandbox/20240101/us-east-1/cases/aws4_request, "
    "SignedHeaders=host, Signature=abc"
}


def test_healthz_answers_ok(http: httpx.Client) -> None:
    response = http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_calls_are_counted_per_operation_and_reset(
    http: httpx.Client, client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    http.post("/_sandbox/calls/reset")
    case_id = new_case()
    new_case()
    client.get_case(domainId=ids.domain, caseId=case_id, fields=[{"id": "title"}])
    with pytest.raises(ClientError):
        client.get_case(domainId=ids.domain, caseId="missing", fields=[{"id": "title"}])

    counted = http.get("/_sandbox/calls").json()
    after_reset = http.post("/_sandbox/calls/reset").json()

    # every stand-in has its entry; only Connect Cases was called here
    assert {name: ops for name, ops in counted.items() if ops} == {
        "connectcases": {"CreateCase": 2, "GetCase": 2}
    }
    assert "connectcases" in after_reset and not any(after_reset.values())
    assert http.get("/_sandbox/calls").json() == after_reset


def test_unsigned_boto3_call_is_refused_with_403(sandbox: Any, ids: Any) -> None:
    unsigned = sandbox.client(signature_version=UNSIGNED)

    with pytest.raises(ClientError) as caught:
        unsigned.get_domain(domainId=ids.domain)

    response: Any = caught.value.response
    assert response["Error"]["Code"] == "MissingAuthenticationTokenException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_non_sigv4_authorization_is_refused(http: httpx.Client, ids: Any) -> None:
    response = http.post(
        f"/connectcases/domains/{ids.domain}", headers={"Authorization": "Basic c2FuZGJveA=="}
    )

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "IncompleteSignatureException"


def test_unknown_path_is_an_unknown_operation(http: httpx.Client) -> None:
    response = http.post("/connectcases/no/such/thing", headers=SIGNED)

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert "message" in response.json()


def test_modeled_operation_the_sandbox_lacks_answers_501(client: Any, ids: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.delete_case(domainId=ids.domain, caseId="any")

    response: Any = caught.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "NotImplemented",
        501,
    )


def test_body_that_is_not_json_is_a_serialization_error(http: httpx.Client, ids: Any) -> None:
    response = http.post(
        f"/connectcases/domains/{ids.domain}/cases-search", headers=SIGNED, content=b"{nope"
    )

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "SerializationException"


def test_server_validates_requests_against_the_model(http: httpx.Client, ids: Any) -> None:
    unknown_member = http.post(
        f"/connectcases/domains/{ids.domain}/cases-search", headers=SIGNED, json={"bogus": 1}
    )
    missing_member = http.post(
        f"/connectcases/domains/{ids.domain}/cases", headers=SIGNED, json={"templateId": "t"}
    )
    bad_query = http.post(
        f"/connectcases/domains/{ids.domain}/fields-list?maxResults=lots", headers=SIGNED
    )

    for response in (unknown_member, missing_member, bad_query):
        assert response.status_code == 400
        assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "bogus" in unknown_member.json()["message"]
    assert "fields" in missing_member.json()["message"]


def test_create_app_touches_no_files_until_startup(sandbox_settings: Any, tmp_path: Any) -> None:
    db_path = tmp_path / "var" / "db.sqlite3"

    create_app(sandbox_settings(db_path))

    assert not db_path.parent.exists()

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.validate import ParamValidator

from sandbox.aws.wire import constraint_errors


def profiles_client(base_url: str, **config: Any) -> Any:
    return boto3.client(
        "customer-profiles",
        endpoint_url=f"{base_url}/profiles",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}, **config),
    )


@pytest.fixture(scope="session")
def make_profiles_client() -> Callable[..., Any]:
    """Make a customer-profiles client of the sandbox at a base URL."""
    return profiles_client


@pytest.fixture(scope="session")
def profiles(sandbox: Any) -> Any:
    """A customer-profiles client of the shared sandbox."""
    return profiles_client(sandbox.url)


@pytest.fixture(scope="session")
def unvalidated_profiles(sandbox: Any) -> Any:
    """A client that sends what it is given, so the server's own validation answers."""
    return profiles_client(sandbox.url, parameter_validation=False)


@pytest.fixture
def phone() -> str:
    """An E.164 number no other test uses."""
    return "+4477" + str(uuid.uuid4().int)[:8]


@pytest.fixture
def email() -> str:
    """An email address no other test uses."""
    return f"{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture(scope="session")
def check_profiles_output(profiles: Any) -> Callable[[str, dict[str, Any]], None]:
    """Assert a parsed response fits its operation's output shape in botocore's model."""
    model = profiles.meta.service_model

    def check(operation: str, response: dict[str, Any]) -> None:
        shape = model.operation_model(operation).output_shape
        body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
        report = ParamValidator().validate(body, shape)
        assert not report.has_errors(), report.generate_report()
        assert list(constraint_errors(body, shape, "")) == []

    return check


@pytest.fixture(scope="session")
def profiles_domain(sandbox_settings: Callable[..., Any], tmp_path_factory: Any) -> str:
    """The domain the shared sandbox created at startup (settings as that sandbox reads them)."""
    settings = sandbox_settings(tmp_path_factory.mktemp("unused") / "unused.sqlite3")
    name: str | None = settings.customer_profiles_domain
    assert name, "the sandbox creates a Customer Profiles domain unless told not to"
    return name

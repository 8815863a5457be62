"""What the Amazon Connect back end reads: Connect Cases, the Connect instance, Customer Profiles.

Every AWS client of this back end (and of the provisioning command) takes the same region,
retries and timeouts from ``client_options()``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from botocore.config import Config
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConnectSettings(BaseSettings):
    """Where Connect Cases and its neighbours are; every field is an environment variable."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    #: unset means real AWS; the sandbox serves http://127.0.0.1:8081/connectcases
    connect_cases_endpoint_url: str | None = None
    connect_cases_domain_id: str | None = None
    connect_cases_template_id: str | None = None
    #: unset lets botocore find the region the usual way
    aws_default_region: str | None = None
    #: the Amazon Connect instance: its attached-file store takes the files users send, and its
    #: queues (ListQueues) give the ids a case is put on by queue name (handoff); unset means
    #: files cannot be attached to Connect cases and queues can be given by id only
    connect_instance_id: str | None = None
    #: unset means real AWS; the sandbox serves http://127.0.0.1:8081/connect
    connect_endpoint_url: str | None = None
    #: the contact flow a live chat with a person starts on (HANDOFF_MODE=connect_chat)
    connect_chat_contact_flow_id: str | None = None
    connect_cases_connect_timeout: float = Field(default=3.0, gt=0)
    connect_cases_read_timeout: float = Field(default=10.0, gt=0)

    # --- Amazon Connect Customer Profiles (customer_id of a case) ---
    #: the Customer Profiles domain name; unset means cases carry no customer_id
    customer_profiles_domain: str | None = None
    #: unset means real AWS; the sandbox serves http://127.0.0.1:8081/profiles
    customer_profiles_endpoint_url: str | None = None
    #: create a profile when none matches the contact's phone or email
    customer_profiles_create_missing: bool = True
    #: account id of profile ARNs only where no Connect Cases domain is known; the back end
    #: takes the account (and region, partition) from its domain's ARN, as Connect Cases needs
    aws_account_id: str = "123456789012"
    #: how long a contact -> profile ARN answer is kept
    customer_profiles_cache_seconds: float = Field(default=3600.0, ge=0)

    def client_options(self, endpoint_url: str | None) -> dict[str, Any]:
        """``boto3.client`` options: ``endpoint_url``, the region, adaptive retries, timeouts."""
        return {
            "endpoint_url": endpoint_url,
            "region_name": self.aws_default_region,
            "config": Config(
                retries={"mode": "adaptive", "max_attempts": 5},
                connect_timeout=self.connect_cases_connect_timeout,
                read_timeout=self.connect_cases_read_timeout,
            ),
        }


@lru_cache(maxsize=1)
def get_connect_settings() -> ConnectSettings:
    """The Connect settings of this process, read once."""
    return ConnectSettings()

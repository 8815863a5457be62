"""The Customer Profiles app: each operation of botocore's customer-profiles model routed."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from botocore.loaders import create_loader
from botocore.model import ServiceModel
from fastapi import FastAPI

from sandbox.aws.service import Handler, ServiceErrors, build_service_app
from sandbox.customer_profiles.case_objects import CaseObjects
from sandbox.customer_profiles.errors import BadRequestException, InternalServerException
from sandbox.customer_profiles.operations import ProfileOperations
from sandbox.customer_profiles.store import ProfileStore

SERVICE_NAME = "customer-profiles"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """Return botocore's model of Customer Profiles, the contract this stand-in serves."""
    loader = create_loader()
    return ServiceModel(
        loader.load_service_model(SERVICE_NAME, "service-2"), service_name=SERVICE_NAME
    )


def handlers(store: ProfileStore, cases: CaseObjects) -> dict[str, Handler]:
    """Return the implemented operations by name."""
    operations = ProfileOperations(store, cases)
    return {
        "GetDomain": operations.get_domain,
        "CreateProfile": operations.create_profile,
        "SearchProfiles": operations.search_profiles,
        "ListProfileObjects": operations.list_profile_objects,
    }


def customer_profiles_app(
    store: ProfileStore, cases: CaseObjects, on_call: Callable[[str], None]
) -> FastAPI:
    """Return the ASGI app of the Customer Profiles REST API over ``store``."""
    return build_service_app(
        title="Amazon Connect Customer Profiles (sandbox)",
        model=service_model(),
        handlers=handlers(store, cases),
        errors=ServiceErrors(validation=BadRequestException, internal=InternalServerException),
        on_call=on_call,
    )

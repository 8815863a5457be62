"""The Connect Cases app: each operation of botocore's connectcases model routed to a handler."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from botocore.loaders import create_loader
from botocore.model import ServiceModel
from fastapi import FastAPI

from sandbox.aws.service import Handler, ServiceErrors, build_service_app
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.cases import CaseOperations
from sandbox.connect_cases.configuration import ConfigurationOperations
from sandbox.connect_cases.domain_setup import DomainSetupOperations
from sandbox.connect_cases.errors import InternalServerException, ValidationException
from sandbox.connect_cases.related import RelatedItemOperations
from sandbox.connect_cases.search import SearchOperations
from sandbox.connect_cases.store import Store
from sandbox.connect_cases.template_setup import TemplateSetupOperations

SERVICE_NAME = "connectcases"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """Return botocore's model of Connect Cases, the contract this stand-in serves."""
    loader = create_loader()
    return ServiceModel(
        loader.load_service_model(SERVICE_NAME, "service-2"), service_name=SERVICE_NAME
    )


def handlers(store: Store, arns: Arns) -> dict[str, Handler]:
    """Return the implemented operations by name."""
    cases = CaseOperations(store, arns)
    search = SearchOperations(store)
    related = RelatedItemOperations(store, arns)
    configuration = ConfigurationOperations(store, arns)
    domain_setup = DomainSetupOperations(store, arns)
    template_setup = TemplateSetupOperations(store, arns)
    return {
        "CreateCase": cases.create_case,
        "GetCase": cases.get_case,
        "UpdateCase": cases.update_case,
        "SearchCases": search.search_cases,
        "ListCasesForContact": search.list_cases_for_contact,
        "CreateRelatedItem": related.create_related_item,
        "SearchRelatedItems": related.search_related_items,
        "GetCaseAuditEvents": related.get_case_audit_events,
        "GetDomain": configuration.get_domain,
        "ListDomains": configuration.list_domains,
        "GetTemplate": configuration.get_template,
        "ListTemplates": configuration.list_templates,
        "ListFields": configuration.list_fields,
        "BatchGetField": configuration.batch_get_field,
        "ListFieldOptions": configuration.list_field_options,
        "GetLayout": configuration.get_layout,
        "ListLayouts": configuration.list_layouts,
        "CreateDomain": domain_setup.create_domain,
        "CreateField": domain_setup.create_field,
        "UpdateField": domain_setup.update_field,
        "BatchPutFieldOptions": domain_setup.batch_put_field_options,
        "CreateLayout": template_setup.create_layout,
        "UpdateLayout": template_setup.update_layout,
        "CreateTemplate": template_setup.create_template,
        "UpdateTemplate": template_setup.update_template,
    }


def connect_cases_app(store: Store, arns: Arns, on_call: Callable[[str], None]) -> FastAPI:
    """Return the ASGI app of the Connect Cases REST API over ``store``."""
    return build_service_app(
        title="Amazon Connect Cases (sandbox)",
        model=service_model(),
        handlers=handlers(store, arns),
        errors=ServiceErrors(validation=ValidationException, internal=InternalServerException),
        on_call=on_call,
    )

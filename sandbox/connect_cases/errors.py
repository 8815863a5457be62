"""The errors Connect Cases models, with the status codes botocore expects::

AwsError (sandbox.aws.errors)
├── ValidationException            400
├── ServiceQuotaExceededException  402
├── AccessDeniedException          403
├── ResourceNotFoundException      404  also names the resource's id and type
├── ConflictException              409
├── ThrottlingException            429
└── InternalServerException        500
"""

from __future__ import annotations

from sandbox.aws.errors import AwsError


class ValidationException(AwsError):
    """The request breaks the model or the domain's rules (fields, template, values)."""

    code = "ValidationException"
    status = 400


class ServiceQuotaExceededException(AwsError):
    """A quota of the domain is used up."""

    code = "ServiceQuotaExceededException"
    status = 402


class AccessDeniedException(AwsError):
    """The caller may not do this."""

    code = "AccessDeniedException"
    status = 403


class ResourceNotFoundException(AwsError):
    """The domain, case, template, layout or field does not exist."""

    code = "ResourceNotFoundException"
    status = 404

    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(
            f"{resource_type} {resource_id} not found",
            resourceId=resource_id,
            resourceType=resource_type,
        )


class ConflictException(AwsError):
    """A client token reused with another request, or a concurrent change."""

    code = "ConflictException"
    status = 409


class ThrottlingException(AwsError):
    """Too many requests."""

    code = "ThrottlingException"
    status = 429


class InternalServerException(AwsError):
    """The service failed."""

    code = "InternalServerException"
    status = 500

"""The errors Customer Profiles models, with the status codes botocore expects::

AwsError (sandbox.aws.errors)
└── ProfilesError                  bodies carry ``Message``, as this service's error shapes do
    ├── BadRequestException        400
    ├── AccessDeniedException      403
    ├── ResourceNotFoundException  404
    ├── ThrottlingException        429
    └── InternalServerException    500
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.errors import AwsError


class ProfilesError(AwsError):
    """Base of this service's errors: its error shapes spell the member ``Message``."""

    def body(self) -> dict[str, Any]:
        """Return the JSON body as Customer Profiles writes it."""
        return {"Message": self.message, **self.members}


class BadRequestException(ProfilesError):
    """The input breaks the model or the service's rules."""

    code = "BadRequestException"
    status = 400


class AccessDeniedException(ProfilesError):
    """The caller may not do this."""

    code = "AccessDeniedException"
    status = 403


class ResourceNotFoundException(ProfilesError):
    """The domain or profile does not exist."""

    code = "ResourceNotFoundException"
    status = 404


class ThrottlingException(ProfilesError):
    """Too many requests."""

    code = "ThrottlingException"
    status = 429


class InternalServerException(ProfilesError):
    """The service failed."""

    code = "InternalServerException"
    status = 500

"""The errors Amazon Connect models for what the stand-in serves, with their status codes::

AwsError (sandbox.aws.errors)
└── ConnectError                   bodies carry ``Message``, as this service's error shapes do
    ├── InvalidRequestException    400
    ├── InvalidParameterException  400
    ├── ResourceNotFoundException  404
    ├── DuplicateResourceException 409
    ├── LimitExceededException     429  e.g. the quota of concurrent active chats
    └── InternalServiceException   500
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.errors import AwsError


class ConnectError(AwsError):
    """Base of this service's errors: its error shapes spell the member ``Message``."""

    def body(self) -> dict[str, Any]:
        """Return the JSON body as Amazon Connect writes it."""
        return {"Message": self.message, **self.members}


class InvalidRequestException(ConnectError):
    """The request breaks the model or the service's rules."""

    code = "InvalidRequestException"
    status = 400


class InvalidParameterException(ConnectError):
    """One of the request's values is not acceptable."""

    code = "InvalidParameterException"
    status = 400


class ResourceNotFoundException(ConnectError):
    """The file (or instance) does not exist."""

    code = "ResourceNotFoundException"
    status = 404


class DuplicateResourceException(ConnectError):
    """The resource (an association, a use case type) already exists."""

    code = "DuplicateResourceException"
    status = 409


class LimitExceededException(ConnectError):
    """A quota of the instance is reached."""

    code = "LimitExceededException"
    status = 429


class InternalServiceException(ConnectError):
    """The service failed."""

    code = "InternalServiceException"
    status = 500

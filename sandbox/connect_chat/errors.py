"""The errors the Connect Participant Service models, with their status codes::

AwsError (sandbox.aws.errors)
└── ParticipantError               bodies carry ``Message``, as this service's error shapes do
    ├── ValidationException        400
    ├── AccessDeniedException      403  a token that is unknown, expired or no longer valid
    ├── ConflictException          409
    └── InternalServerException    500
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.errors import AwsError


class ParticipantError(AwsError):
    """Base of this service's errors: its error shapes spell the member ``Message``."""

    def body(self) -> dict[str, Any]:
        """Return the JSON body as the participant service writes it."""
        return {"Message": self.message, **self.members}


class ValidationException(ParticipantError):
    """The request breaks the model or the service's rules."""

    code = "ValidationException"
    status = 400


class AccessDeniedException(ParticipantError):
    """The bearer token does not open this call."""

    code = "AccessDeniedException"
    status = 403


class ConflictException(ParticipantError):
    """The call conflicts with the state of the chat."""

    code = "ConflictException"
    status = 409


class InternalServerException(ParticipantError):
    """The service failed."""

    code = "InternalServerException"
    status = 500

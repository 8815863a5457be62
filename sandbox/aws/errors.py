"""AWS errors as REST-JSON puts them on the wire: a status, an ``x-amzn-ErrorType`` header, a body.

Each service declares its own modeled errors by subclassing ``AwsError``; the protocol-level ones
(authentication, malformed bodies, unknown routes) live here because every service shares them::

    AwsError
    ├── MissingAuthenticationToken   403  no SigV4 Authorization header
    ├── IncompleteSignature          403  an Authorization header that is not SigV4
    ├── SerializationError           400  a body that is not a JSON object
    ├── UnknownOperation             404  no operation at this method and path
    ├── NotImplementedOperation      501  a modeled operation the sandbox does not serve
    └── (service errors)             e.g. connect_cases.errors

``InvalidInput`` is not an ``AwsError``: shared helpers (token decoding, input checks) raise it
and the service edge answers it with that service's own validation error.
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.responses import JSONResponse


class AwsError(Exception):
    """An error answered to the client; the subclass fixes the code and the status."""

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **members: Any) -> None:
        super().__init__(message)
        self.message = message
        self.members = members

    def body(self) -> dict[str, Any]:
        """Return the JSON body: the message plus the error shape's other members."""
        return {"message": self.message, **self.members}


def error_response(exc: AwsError) -> JSONResponse:
    """Turn ``exc`` into the response botocore parses into ``ClientError`` with ``exc.code``."""
    return JSONResponse(exc.body(), status_code=exc.status, headers={"x-amzn-ErrorType": exc.code})


class InvalidInput(ValueError):
    """A request value a shared helper rejects; answered as the service's validation error."""


class MissingAuthenticationToken(AwsError):
    """The request carries no Authorization header."""

    code = "MissingAuthenticationTokenException"
    status = 403


class IncompleteSignature(AwsError):
    """The Authorization header is not an AWS Signature Version 4."""

    code = "IncompleteSignatureException"
    status = 403


class SerializationError(AwsError):
    """The body could not be read as a JSON object."""

    code = "SerializationException"
    status = 400


class UnknownOperation(AwsError):
    """No operation answers this method and path."""

    code = "UnknownOperationException"
    status = 404


class NotImplementedOperation(AwsError):
    """The service model has the operation, the sandbox does not serve it."""

    code = "NotImplemented"
    # 501 rather than 500 so botocore reports it at once instead of retrying
    status = 501

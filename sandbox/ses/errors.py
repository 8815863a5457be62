"""The errors SES v2 models for SendEmail, with the status codes botocore expects::

AwsError (sandbox.aws.errors)
├── BadRequestException   400  input the service refuses (a missing sender, no recipient...)
├── MessageRejected       400  the message cannot be sent (a sender not verified)
└── InternalFailure       500  the stand-in failed

SES's error shapes spell their member ``message``, as ``AwsError`` writes it.
"""

from __future__ import annotations

from sandbox.aws.errors import AwsError


class BadRequestException(AwsError):
    """The input breaks the model or the service's rules."""

    code = "BadRequestException"
    status = 400


class MessageRejected(AwsError):
    """The message was refused: in the sandbox, a sender that is not a verified identity."""

    code = "MessageRejected"
    status = 400


class InternalFailure(AwsError):
    """The stand-in failed."""

    code = "InternalFailure"
    status = 500

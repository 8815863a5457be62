"""Graph API errors as Graph answers them: ``{"error": {"message", "type", "code", ...}}``."""

from __future__ import annotations

import uuid

from starlette.responses import JSONResponse

#: what Graph says for the codes the gateway reacts to, and the HTTP status it answers with
KNOWN_ERRORS: dict[int, tuple[int, str]] = {
    1: (500, "An unknown error occurred"),
    2: (503, "Service temporarily unavailable"),
    100: (400, "Invalid parameter"),
    190: (401, "Invalid OAuth access token - Cannot parse access token"),
    130429: (429, "Rate limit hit"),
    131026: (400, "Message undeliverable"),
    131047: (400, "Re-engagement message"),
    131048: (400, "Spam rate limit hit"),
    131056: (400, "(Business Account, Consumer Account) pair rate limit hit"),
    131009: (400, "Parameter value is not valid"),
    132000: (400, "Number of parameters does not match the expected number of params"),
    132001: (400, "Template name does not exist in the translation"),
    132012: (400, "Parameter format does not match format in the created template"),
}


class GraphApiError(Exception):
    """An error the stand-in answers with, in Graph's shape."""

    def __init__(self, code: int, message: str | None = None, status: int | None = None) -> None:
        default_status, default_message = KNOWN_ERRORS.get(code, (400, "Graph API error"))
        self.code = code
        self.message = message or default_message
        self.status = status or default_status
        super().__init__(f"({code}) {self.message}")

    def response(self) -> JSONResponse:
        """The HTTP answer Graph gives for this error."""
        return JSONResponse(
            {
                "error": {
                    "message": f"(#{self.code}) {self.message}",
                    "type": "OAuthException",
                    "code": self.code,
                    "error_data": {"messaging_product": "whatsapp", "details": self.message},
                    "fbtrace_id": uuid.uuid4().hex[:22],
                }
            },
            status_code=self.status,
        )

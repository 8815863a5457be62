"""The webchat page itself; its script talks over ``/webchat/ws``, or ``POST /webchat/messages``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.channels.webchat.rendering import render
from api.deps import SettingsDep

router = APIRouter(tags=["webchat"])

# Everything the page loads comes from this origin, except bot images, which may live anywhere
# on https. No inline script or style, so injected markup could not run even if it got in.
# Only the gateway itself and the sites WEBCHAT_ALLOWED_ORIGINS lists may frame the page: any
# other could dress it up to trick a user, or hand it an identity token of its choosing.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def security_headers(allowed_origins: tuple[str, ...]) -> dict[str, str]:
    """The page's headers, with the sites that may embed it as its frame ancestors."""
    ancestors = " ".join(("'self'", *allowed_origins))
    return {
        "Content-Security-Policy": f"{POLICY}; frame-ancestors {ancestors}",
        **SECURITY_HEADERS,
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def webchat_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The chat page."""
    # Relative URLs, so the page keeps working when a proxy serves the gateway under a prefix.
    messages_url = request.app.url_path_for("post_webchat_message").lstrip("/")
    socket_url = request.app.url_path_for("webchat_socket").lstrip("/")
    html = render(
        "index.html",
        title=settings.webchat_title,
        max_message_chars=settings.gateway_max_message_chars,
        messages_url=messages_url,
        socket_url=socket_url,
        static_url="static",
        # the page takes an identity token handed over by postMessage from these only
        allowed_origins=" ".join(settings.webchat_allowed_origins),
    )
    return HTMLResponse(html, headers=security_headers(settings.webchat_allowed_origins))

"""``POST /webchat/typing``: a webchat customer is typing, told to the person in their live chat.

The page posts ``{"sender"}`` at most every few seconds while its customer types; the relay
passes it on as a typing event (SendEvent), at most one per chat every ``TYPING_EVERY_SECONDS``
whatever a client posts. The answer is 204 whether or not the sender is in a live chat, so it
tells nothing of anyone's chat; 404 when this gateway relays no live chats (``HANDOFF_MODE``).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.channels.webchat.messages import SENDER_PATTERN
from api.handoff.relay import ChatRelay

router = APIRouter(prefix="/webchat", tags=["webchat"])

#: where the app keeps the running relay
RELAY_STATE = "live_chat_relay"


class CustomerTyping(BaseModel):
    """What the page posts while its customer types."""

    model_config = ConfigDict(extra="forbid")

    sender: str = Field(pattern=SENDER_PATTERN)


@router.post("/typing", status_code=204)
async def customer_typing(body: CustomerTyping, request: Request) -> Response:
    """Tell the agent of the sender's live chat, if any, that the customer is typing."""
    relay: ChatRelay | None = getattr(request.app.state, RELAY_STATE, None)
    if relay is None:
        raise HTTPException(status_code=404, detail="Not Found")
    await relay.customer_typing(f"webchat:{body.sender}")
    return Response(status_code=204)

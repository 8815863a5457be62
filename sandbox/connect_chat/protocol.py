"""What the chat stand-in knows of Amazon Connect chat, and what it had to choose, in one place.

From botocore's models (``connect`` StartChatContact, ``connectparticipant``) and AWS's
documentation of them:

- every participant call carries its token in the ``X-Amz-Bearer`` header (the ParticipantToken
  for CreateParticipantConnection, the ConnectionToken for the rest) and no SigV4 signature;
- a WEBSOCKET connection's URL must be opened within 100 seconds (``ConnectionExpiry``); a
  ConnectionToken lasts one day; a chat lasts 25 hours unless ``ChatDurationInMinutes`` says;
- the client subscribes with ``{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}``;
- ``SupportedMessagingContentTypes`` must contain ``text/plain``; without it a chat takes plain
  text only; a message's content is at most 16,384 bytes;
- SendEvent takes typing, message delivered/read and (retired) connection acknowledged;
- transcripts hold messages and the participant joined/left, chat ended and transfer events
  (never typing); GetTranscript pages 10 items by default, scanning BACKWARD from the newest
  when no StartPosition is given and FORWARD from one, sorted DESCENDING unless told.
- Attributes: keys of letters, digits, ``-`` and ``_``; at most 32,768 UTF-8 bytes in all.
- Attachments: StartAttachmentUpload takes ContentType, AttachmentSizeInBytes, AttachmentName
  and ClientToken and answers an AttachmentId and UploadMetadata (Url, UrlExpiry,
  HeadersToInclude); the bytes are PUT to that URL with those headers; CompleteAttachmentUpload
  takes the AttachmentIds and a ClientToken; chat takes the file types and sizes of Connect's
  feature specifications (``attachments.FILE_TYPES``, 20 MB).

Not documented, so chosen here (the product must not depend on more than the above):

- a websocket frame is ``{"topic": "aws/chat", "contentType": "application/json",
  "content": "<the item as GetTranscript spells it, JSON-encoded>"}`` with the item's
  ``ContactId`` and ``InitialContactId`` added; the subscription is answered with
  ``{"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}}``,
  a heartbeat ``{"topic": "aws/heartbeat"}`` is echoed, any other frame is ignored;
- a socket relays, once subscribed, what is written after its URL was handed out (GetTranscript
  gives what came before), the participant's own messages and events included;
- after ``chat.ended`` is pushed the stand-in closes the socket (code 1000);
- calls on a chat that has ended, or by a participant that has left, are AccessDeniedException;
  GetTranscript stays open to them, so the last items can still be read;
- attachments (assumed): the upload URL's UrlExpiry is 300 seconds on (not enforced here: an
  upload after it is still taken, where S3 would refuse it); completing a file not uploaded yet is
  ConflictException; an upload to a file already completed is refused (400), and completing it
  again answers as the first time; a file type or size chat does not take is
  ValidationException. Whether an instance with attachments switched off answers
  ValidationException or AccessDeniedException is not documented: the gateway takes either as
  "this file cannot go" and says so in words;
- typing (assumed): a typing event goes to every subscribed socket of the chat as any item does,
  the sender's own included, and never into the transcript;
- the contact flow: any ContactFlowId is a flow that queues the chat for an agent, except
  ``CLOSED_FLOW_ID`` (once the customer is connected, says it is closed and ends the chat, as
  a flow outside its hours does; no agent ever sees the chat) and
  ``FULL_FLOW_ID`` (LimitExceededException, as when the quota of active chats is reached).
"""

from __future__ import annotations

from typing import Final

#: a flow that tells the customer the queue is closed and ends the chat
CLOSED_FLOW_ID: Final = "sandbox-closed"
#: a flow whose start is refused as the quota of concurrent active chats refuses it
FULL_FLOW_ID: Final = "sandbox-full"
#: what the closed flow says before it ends the chat
CLOSED_MESSAGE: Final = "We are closed at the moment. Please try again during opening hours."

SUBSCRIBE_TOPIC: Final = "aws/subscribe"
CHAT_TOPIC: Final = "aws/chat"
HEARTBEAT_TOPIC: Final = "aws/heartbeat"

WEBSOCKET_CONNECT_SECONDS: Final = 100
CONNECTION_TOKEN_SECONDS: Final = 24 * 3600
MAX_CONTENT_BYTES: Final = 16384
MAX_ATTRIBUTE_BYTES: Final = 32768
DEFAULT_TRANSCRIPT_PAGE: Final = 10

PLAIN: Final = "text/plain"
#: what SupportedMessagingContentTypes may list
MESSAGE_TYPES: Final = frozenset(
    {
        PLAIN,
        "text/markdown",
        "application/json",
        "application/vnd.amazonaws.connect.message.interactive",
        "application/vnd.amazonaws.connect.message.interactive.response",
    }
)

_EVENT = "application/vnd.amazonaws.connect.event."
TYPING: Final = _EVENT + "typing"
JOINED: Final = _EVENT + "participant.joined"
LEFT: Final = _EVENT + "participant.left"
ENDED: Final = _EVENT + "chat.ended"
#: what SendEvent takes
SENDABLE_EVENTS: Final = frozenset(
    {
        TYPING,
        _EVENT + "connection.acknowledged",
        _EVENT + "message.delivered",
        _EVENT + "message.read",
    }
)
#: events a transcript leaves out: they say what is happening, not what was said
TRANSIENT_EVENTS: Final = frozenset(SENDABLE_EVENTS)

CUSTOMER: Final = "CUSTOMER"
AGENT: Final = "AGENT"
SYSTEM: Final = "SYSTEM"
SYSTEM_NAME: Final = "SYSTEM_MESSAGE"

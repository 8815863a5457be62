"""Files in a chat: StartAttachmentUpload, the upload, CompleteAttachmentUpload, GetAttachment.

As on AWS: a file of a type chat takes (Connect's feature specifications) and at most 20 MB is
announced with a client token, PUT to the URL handed out with exactly the headers handed out and
exactly the announced bytes, then completed, which puts an ATTACHMENT item in the chat. The
bytes are kept in the sandbox's SQLite file; the URLs point back at this stand-in
(``/connectparticipant/_uploads/<AttachmentId>?key=...``) and only their key opens them.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, Final

from sandbox.aws.service import Call
from sandbox.connect_chat.db import ChatDatabase
from sandbox.connect_chat.errors import ConflictException, ValidationException
from sandbox.connect_chat.records import Participant, Speaker
from sandbox.connect_chat.store import ChatStore

MAX_BYTES: Final = 20 * 1024 * 1024
URL_SECONDS: Final = 300
UPLOAD_PATH: Final = "/_uploads"
#: the file types Amazon Connect chat takes, by MIME type
FILE_TYPES: Final = frozenset(
    {
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/heic",
        "image/jpeg",
        "video/quicktime",
        "video/mp4",
        "application/pdf",
        "image/png",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/rtf",
        "text/plain",
        "audio/wav",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
IN_PROGRESS, APPROVED = "IN_PROGRESS", "APPROVED"


class Attachments:
    """The attachment calls of the participant service, over the chat's database."""

    def __init__(self, db: ChatDatabase, store: ChatStore) -> None:
        self._db = db
        self._store = store

    def start(self, participant: Participant, call: Call, base_url: str) -> dict[str, Any]:
        """StartAttachmentUpload; the same client token gets the same attachment."""
        params = call.params
        content_type: str = params["ContentType"]
        if content_type not in FILE_TYPES:
            raise ValidationException(f"Amazon Connect chat does not take {content_type} files")
        size = int(params["AttachmentSizeInBytes"])
        if size > MAX_BYTES:
            raise ValidationException("An attachment is at most 20 MB")
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_attachments WHERE participant_id = ? AND client_token = ?",
                (participant.participant_id, params["ClientToken"]),
            ).fetchone()
            if row is None:
                attachment_id, key = str(uuid.uuid4()), secrets.token_urlsafe(24)
                conn.execute(
                    "INSERT INTO chat_attachments (attachment_id, participant_id, name,"
                    " content_type, size, upload_key, client_token, status)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        attachment_id,
                        participant.participant_id,
                        params["AttachmentName"],
                        content_type,
                        size,
                        key,
                        params["ClientToken"],
                        IN_PROGRESS,
                    ),
                )
            else:
                attachment_id, key = row["attachment_id"], row["upload_key"]
                content_type = row["content_type"]
        return {
            "AttachmentId": attachment_id,
            "UploadMetadata": {
                "Url": f"{base_url}{UPLOAD_PATH}/{attachment_id}?key={key}",
                "UrlExpiry": _expiry(),
                "HeadersToInclude": {"Content-Type": content_type},
            },
        }

    def receive(self, attachment_id: str, key: str, content_type: str, data: bytes) -> int:
        """Take an upload; the HTTP status to answer it with."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_attachments WHERE attachment_id = ?", (attachment_id,)
            ).fetchone()
            if row is None or not secrets.compare_digest(row["upload_key"], key):
                return 403
            if content_type != row["content_type"]:
                return 403
            if row["status"] != IN_PROGRESS or len(data) != row["size"]:
                return 400
            conn.execute(
                "UPDATE chat_attachments SET data = ? WHERE attachment_id = ?",
                (data, attachment_id),
            )
        return 200

    def complete(self, participant: Participant, call: Call) -> dict[str, Any]:
        """CompleteAttachmentUpload: the uploaded file becomes an ATTACHMENT item of the chat."""
        params = call.params
        (attachment_id,) = params["AttachmentIds"]
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT attachment_id, name, content_type, status, data IS NOT NULL AS uploaded"
                " FROM chat_attachments WHERE attachment_id = ? AND participant_id = ?",
                (attachment_id, participant.participant_id),
            ).fetchone()
            if row is None:
                raise ValidationException("No such attachment of this participant")
            if row["status"] == APPROVED:
                return {}
            if not row["uploaded"]:
                raise ConflictException("The attachment is still being uploaded")
            conn.execute(
                "UPDATE chat_attachments SET status = ? WHERE attachment_id = ?",
                (APPROVED, attachment_id),
            )
        self._store.add_item(
            participant.contact_id,
            Speaker(participant.participant_id, participant.display_name, participant.role),
            "ATTACHMENT",
            row["content_type"],
            None,
            idempotency=("CompleteAttachmentUpload", params["ClientToken"]),
            attachments=[
                {
                    "ContentType": row["content_type"],
                    "AttachmentId": attachment_id,
                    "AttachmentName": row["name"],
                    "Status": APPROVED,
                }
            ],
        )
        return {}

    def get(self, participant: Participant, call: Call, base_url: str) -> dict[str, Any]:
        """GetAttachment: a download URL of an approved file of the participant's chat."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT a.* FROM chat_attachments a JOIN chat_participants p"
                " USING (participant_id) WHERE a.attachment_id = ? AND p.contact_id = ?"
                " AND a.status = ?",
                (call.params["AttachmentId"], participant.contact_id, APPROVED),
            ).fetchone()
        if row is None:
            raise ValidationException("No such attachment in this chat")
        return {
            "Url": f"{base_url}{UPLOAD_PATH}/{row['attachment_id']}?key={row['upload_key']}",
            "UrlExpiry": _expiry(),
            "AttachmentSizeInBytes": row["size"],
        }

    def content(self, attachment_id: str, key: str) -> tuple[bytes, str] | None:
        """The bytes and type of an approved file, for the holder of its URL."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_attachments WHERE attachment_id = ?", (attachment_id,)
            ).fetchone()
        if row is None or not secrets.compare_digest(row["upload_key"], key):
            return None
        if row["status"] != APPROVED:
            return None
        return bytes(row["data"]), str(row["content_type"])


def _expiry() -> str:
    moment = datetime.fromtimestamp(datetime.now(UTC).timestamp() + URL_SECONDS, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

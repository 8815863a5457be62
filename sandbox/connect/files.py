r"""StartAttachedFileUpload, the upload itself, CompleteAttachedFileUpload and GetAttachedFile.

Files are kept in memory: they live as long as the sandbox process, which is all a local
stand-in needs. The upload URL points back at this stand-in (``/_uploads/<FileId>``) and, like
the real presigned URL, only takes a PUT carrying the headers it was handed out with and
exactly the announced number of bytes. Only the ``ATTACHMENT`` use case for a Connect Cases
case is served. A file name follows ``^\P{C}*$`` as on AWS: no Unicode control or format
character (category C: C0/C1 controls, RLM, ZWJ, BOM, unassigned code points ...).
"""

from __future__ import annotations

import re
import secrets
import threading
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sandbox.aws.service import Call
from sandbox.connect.errors import InvalidRequestException, ResourceNotFoundException

#: scheme, host and mount path of the request being served; upload URLs are made from it
BASE_URL: ContextVar[str] = ContextVar("connect_sandbox_base_url", default="http://127.0.0.1:8081")
#: the header every upload must carry, as a presigned S3 URL binds its headers
UPLOAD_HEADER = "x-amz-server-side-encryption"
UPLOAD_HEADER_VALUE = "AES256"
_CASE_ARN = re.compile(r"arn:aws[\w-]*:cases:[\w-]+:\d{12}:domain/[^/]+/case/[^/]+")
_DEFAULT_EXPIRY = 300


@dataclass
class StoredFile:
    """One file: what StartAttachedFileUpload announced, and its bytes once uploaded."""

    file_id: str
    file_arn: str
    instance_id: str
    name: str
    size: int
    resource_arn: str
    created: str
    client_token: str | None
    upload_key: str
    status: str = "PROCESSING"
    data: bytes | None = field(default=None, repr=False)


class FileStore:
    """Every file, by id; safe to use from the worker threads handlers run in."""

    def __init__(self, region: str, account_id: str) -> None:
        self._region = region
        self._account_id = account_id
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()

    def start_upload(self, call: Call) -> dict[str, Any]:
        """StartAttachedFileUpload."""
        params = call.params
        if params["FileUseCaseType"] != "ATTACHMENT":
            raise InvalidRequestException("The sandbox serves the ATTACHMENT use case only")
        if not _is_file_name(params["FileName"]):
            raise InvalidRequestException("FileName must match ^\\P{C}*$")
        resource = params["AssociatedResourceArn"]
        if not _CASE_ARN.fullmatch(resource):
            raise InvalidRequestException("AssociatedResourceArn must be a Connect Cases case ARN")
        token = params.get("ClientToken")
        with self._lock:
            earlier = next(
                (f for f in self._files.values() if token and f.client_token == token), None
            )
            stored = earlier or self._new(params, token)
        expiry = int(params.get("UrlExpiryInSeconds") or _DEFAULT_EXPIRY)
        return {
            "FileArn": stored.file_arn,
            "FileId": stored.file_id,
            "CreationTime": stored.created,
            "FileStatus": stored.status,
            "UploadUrlMetadata": {
                "Url": f"{BASE_URL.get()}/_uploads/{stored.file_id}?key={stored.upload_key}",
                "UrlExpiry": _iso(datetime.now(UTC) + timedelta(seconds=expiry)),
                "HeadersToInclude": {UPLOAD_HEADER: UPLOAD_HEADER_VALUE},
            },
        }

    def receive(self, file_id: str, key: str, headers: dict[str, str], data: bytes) -> int:
        """Take an upload; the HTTP status to answer it with."""
        with self._lock:
            stored = self._files.get(file_id)
            if stored is None or not secrets.compare_digest(stored.upload_key, key):
                return 403
            if headers.get(UPLOAD_HEADER) != UPLOAD_HEADER_VALUE:
                return 403
            if stored.status != "PROCESSING" or len(data) != stored.size:
                return 400
            stored.data = data
            return 200

    def complete_upload(self, call: Call) -> dict[str, Any]:
        """CompleteAttachedFileUpload."""
        with self._lock:
            stored = self._find(call.params)
            if stored.data is None:
                raise InvalidRequestException("The file has not been uploaded")
            stored.status = "APPROVED"
        return {}

    def get_file(self, call: Call) -> dict[str, Any]:
        """GetAttachedFile."""
        with self._lock:
            stored = self._find(call.params)
        return {
            "FileArn": stored.file_arn,
            "FileId": stored.file_id,
            "CreationTime": stored.created,
            "FileStatus": stored.status,
            "FileName": stored.name,
            "FileSizeInBytes": stored.size,
            "AssociatedResourceArn": stored.resource_arn,
            "FileUseCaseType": "ATTACHMENT",
            "DownloadUrlMetadata": {
                "Url": f"{BASE_URL.get()}/_uploads/{stored.file_id}?key={stored.upload_key}",
                "UrlExpiry": _iso(datetime.now(UTC) + timedelta(seconds=_DEFAULT_EXPIRY)),
            },
        }

    def content(self, file_id: str, key: str) -> bytes | None:
        """The bytes of an uploaded file, for the holder of its URL."""
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None or not secrets.compare_digest(stored.upload_key, key):
            return None
        return stored.data

    def _new(self, params: dict[str, Any], token: str | None) -> StoredFile:
        file_id = str(uuid4())
        instance = params["InstanceId"]
        stored = StoredFile(
            file_id=file_id,
            file_arn=(
                f"arn:aws:connect:{self._region}:{self._account_id}:instance/{instance}"
                f"/file/{file_id}"
            ),
            instance_id=instance,
            name=params["FileName"],
            size=int(params["FileSizeInBytes"]),
            resource_arn=params["AssociatedResourceArn"],
            created=_iso(datetime.now(UTC)),
            client_token=token,
            upload_key=secrets.token_urlsafe(16),
        )
        self._files[file_id] = stored
        return stored

    def _find(self, params: dict[str, Any]) -> StoredFile:
        stored = self._files.get(params["FileId"])
        if (
            stored is None
            or stored.instance_id != params["InstanceId"]
            or stored.resource_arn != params["AssociatedResourceArn"]
        ):
            raise ResourceNotFoundException("No such file for this instance and resource")
        return stored


def _is_file_name(name: str) -> bool:
    return not any(unicodedata.category(char).startswith("C") for char in name)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")

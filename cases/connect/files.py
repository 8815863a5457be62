r"""Files uploaded to Amazon Connect for a case: StartAttachedFileUpload, PUT, Complete.

Amazon Connect (not Connect Cases) keeps a case's files: StartAttachedFileUpload answers a
presigned URL and the headers the upload must carry, the bytes go there with one PUT, and
CompleteAttachedFileUpload makes the file usable. The file's ARN then goes on the case as a
related item of type ``File`` (``ConnectCasesBackend.attach_file``). File names must match
``^\P{C}*$``: the Unicode control and format characters a name may carry (a right-to-left mark
hiding an ``.exe``, a zero-width joiner, a byte-order mark, C1 controls) are dropped first.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import httpx

from cases.backend import Attachment, BackendUnavailable, InvalidCase
from cases.connect.calls import counted

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: file types Amazon Connect takes as case attachments
CONNECT_FILE_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
        "text/plain",
        "image/jpeg",
        "image/png",
        "image/heic",
        "video/mp4",
        "video/quicktime",
        "audio/wav",
    }
)
#: Amazon Connect's largest attachment
CONNECT_FILE_MAX_BYTES = 20 * 1024 * 1024
#: the name of a file whose own name was nothing but characters Amazon Connect refuses
UNNAMED_FILE = "attachment"
_SERVICE = "Amazon Connect"


def file_name(name: str) -> str:
    """``name`` without the characters of Unicode category C, which Amazon Connect refuses."""
    kept = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    return kept.strip() or UNNAMED_FILE


class ConnectFiles:
    """Uploads files to one Amazon Connect instance, each for one resource (a case)."""

    def __init__(self, client: ConnectClient, instance_id: str, http: httpx.AsyncClient) -> None:
        self._client = client
        self._instance_id = instance_id
        self._http = http

    async def upload(self, resource_arn: str, file: Attachment) -> str:
        """Upload ``file`` for ``resource_arn`` and return the file's ARN once it is complete."""
        if file.content_type not in CONNECT_FILE_TYPES:
            raise InvalidCase(f"Amazon Connect takes no {file.content_type} files")
        if not 0 < file.size <= CONNECT_FILE_MAX_BYTES:
            raise InvalidCase("Amazon Connect takes files of 1 byte to 20 MB")
        digest = hashlib.sha256(file.data).hexdigest()
        name = file_name(file.name)
        started = await _call(
            "StartAttachedFileUpload",
            self._client.start_attached_file_upload,
            InstanceId=self._instance_id,
            # the same file (name and bytes) for the same case is one upload, however often it
            # is retried; the name comes from the message's media id, so the same picture sent
            # twice is two files
            ClientToken=hashlib.sha256(f"{resource_arn}|{name}|{digest}".encode()).hexdigest(),
            FileName=name,
            FileSizeInBytes=file.size,
            FileUseCaseType="ATTACHMENT",
            AssociatedResourceArn=resource_arn,
        )
        if started.get("FileStatus") == "APPROVED" and "FileArn" in started:
            # a retry after the upload was completed: the token answered the same file
            return started["FileArn"]
        target = started.get("UploadUrlMetadata") or {}
        url = target.get("Url")
        if not url or "FileId" not in started or "FileArn" not in started:
            raise BackendUnavailable(f"{_SERVICE} answered no upload URL")
        headers = dict(target.get("HeadersToInclude") or {})
        try:
            answer = await self._http.put(url, content=file.data, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("%s upload failed: %s", _SERVICE, type(exc).__name__)
            raise BackendUnavailable(f"{_SERVICE} upload failed") from exc
        if answer.status_code >= 300:
            logger.warning("%s upload refused: HTTP %s", _SERVICE, answer.status_code)
            raise BackendUnavailable(f"{_SERVICE} upload refused: HTTP {answer.status_code}")
        await _call(
            "CompleteAttachedFileUpload",
            self._client.complete_attached_file_upload,
            InstanceId=self._instance_id,
            FileId=started["FileId"],
            AssociatedResourceArn=resource_arn,
        )
        return started["FileArn"]


async def _call(
    operation: str, method: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs
) -> _R:
    with counted(operation, BackendUnavailable, service=_SERVICE):
        return await asyncio.to_thread(method, *args, **kwargs)

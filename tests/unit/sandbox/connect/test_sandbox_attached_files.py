"""Files attached to Connect cases, through real boto3 and httpx, against the stand-ins.

The adapter uploads to the Amazon Connect stand-in and links the file to the case in the
Connect Cases stand-in; every answer either gives is checked against botocore's output shape.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from cases.backend import Attachment, CaseDraft, InvalidCase
from cases.connect.backend import ConnectCasesBackend
from cases.connect.files import ConnectFiles
from cases.template import load_template_spec
from sandbox.aws.wire import constraint_errors

REPO_TEMPLATE = Path(__file__).resolve().parents[4] / "data" / "case_template.yaml"
INSTANCE = "11111111-2222-3333-4444-555555555555"
PHOTO = Attachment(name="router.jpg", content_type="image/jpeg", data=b"\xff\xd8jpeg-bytes")


class Recorder:
    """Keeps every (operation, parsed response) a client receives."""

    def __init__(self) -> None:
        self.responses: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.responses.append((model.name, parsed))


@pytest.fixture
def connect_client(sandbox: Any) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=f"{sandbox.url}/connect",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def backend(client: Any, ids: Any, connect_client: Any, http: httpx.AsyncClient) -> Any:
    return ConnectCasesBackend(
        client,
        ids.domain,
        ids.template,
        spec=load_template_spec(REPO_TEMPLATE),
        files=ConnectFiles(connect_client, INSTANCE, http),
    )


def draft(conversation: str) -> CaseDraft:
    return CaseDraft(
        title="Router broken",
        description="The router's light is red.",
        contact=f"{conversation.split(':')[1]}@example.com",
        priority="High",
        origin="WhatsApp",
        conversation_id=conversation,
        channel="whatsapp",
    )


def fits_the_model(client: Any, recorder: Recorder) -> list[str]:
    model = client.meta.service_model
    for operation, parsed in recorder.responses:
        shape = model.operation_model(operation).output_shape
        body = {key: value for key, value in parsed.items() if key != "ResponseMetadata"}
        if shape is not None:
            report = ParamValidator().validate(body, shape)
            assert not report.has_errors(), f"{operation}: {report.generate_report()}"
            assert list(constraint_errors(body, shape, "")) == [], operation
    return [operation for operation, _ in recorder.responses]


async def test_attached_file_is_a_file_item_on_the_case_with_the_uploaded_files_arn(
    backend: ConnectCasesBackend, client: Any, connect_client: Any, ids: Any
) -> None:
    recorder = Recorder()
    connect_client.meta.events.register("after-call.connect", recorder)
    conversation = f"whatsapp:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")

    await backend.attach_file(case.ref, PHOTO)

    items = client.search_related_items(
        domainId=ids.domain, caseId=case.case_id, filters=[{"file": {}}]
    )["relatedItems"]
    assert len(items) == 1
    file_arn = items[0]["content"]["file"]["fileArn"]
    file_id = file_arn.rsplit("/", 1)[1]
    case_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{case.case_id}"
    stored = connect_client.get_attached_file(
        InstanceId=INSTANCE, FileId=file_id, AssociatedResourceArn=case_arn
    )
    assert stored["FileArn"] == file_arn
    assert stored["FileStatus"] == "APPROVED"
    assert (stored["FileName"], stored["FileSizeInBytes"]) == ("router.jpg", PHOTO.size)
    async with httpx.AsyncClient() as http:
        download = await http.get(stored["DownloadUrlMetadata"]["Url"])
    assert download.content == PHOTO.data
    assert fits_the_model(connect_client, recorder) == [
        "StartAttachedFileUpload",
        "CompleteAttachedFileUpload",
        "GetAttachedFile",
    ]


async def test_upload_without_the_handed_out_headers_is_refused_and_cannot_complete(
    connect_client: Any, ids: Any
) -> None:
    case_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{uuid.uuid4()}"
    started = connect_client.start_attached_file_upload(
        InstanceId=INSTANCE,
        FileName="a.pdf",
        FileSizeInBytes=3,
        FileUseCaseType="ATTACHMENT",
        AssociatedResourceArn=case_arn,
    )
    async with httpx.AsyncClient() as http:
        bare = await http.put(started["UploadUrlMetadata"]["Url"], content=b"pdf")

    assert bare.status_code == 403
    with pytest.raises(ClientError) as caught:
        connect_client.complete_attached_file_upload(
            InstanceId=INSTANCE, FileId=started["FileId"], AssociatedResourceArn=case_arn
        )
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"


async def test_a_type_connect_does_not_take_is_refused_before_any_call(
    backend: ConnectCasesBackend, connect_client: Any
) -> None:
    recorder = Recorder()
    connect_client.meta.events.register("after-call.connect", recorder)
    conversation = f"whatsapp:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")
    program = Attachment(name="run.exe", content_type="application/x-msdownload", data=b"MZ")

    with pytest.raises(InvalidCase):
        await backend.attach_file(case.ref, program)
    assert recorder.responses == []


async def test_attaching_the_same_file_again_uploads_and_links_it_once(
    backend: ConnectCasesBackend, client: Any, ids: Any
) -> None:
    conversation = f"whatsapp:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")
    twin = Attachment(name="router-2.jpg", content_type="image/jpeg", data=PHOTO.data)

    await backend.attach_file(case.ref, PHOTO)
    await backend.attach_file(case.ref, PHOTO)
    await backend.attach_file(case.ref, twin)

    items = client.search_related_items(
        domainId=ids.domain, caseId=case.case_id, filters=[{"file": {}}]
    )["relatedItems"]
    # the same bytes under another name (another message's media) are another file
    assert len({item["content"]["file"]["fileArn"] for item in items}) == len(items) == 2


def test_the_stand_in_refuses_what_the_model_or_the_service_does_not_take(
    connect_client: Any, ids: Any
) -> None:
    case_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{uuid.uuid4()}"
    base = {
        "InstanceId": INSTANCE,
        "FileName": "a.pdf",
        "FileSizeInBytes": 3,
        "AssociatedResourceArn": case_arn,
    }
    codes = []
    for changes in (
        {"FileUseCaseType": "EMAIL_MESSAGE"},
        {"FileUseCaseType": "ATTACHMENT", "AssociatedResourceArn": "arn:aws:s3:::bucket/a"},
        {"FileUseCaseType": "NOT_A_USE_CASE"},
    ):
        with pytest.raises(ClientError) as caught:
            connect_client.start_attached_file_upload(**{**base, **changes})
        codes.append(caught.value.response["Error"]["Code"])

    assert codes == ["InvalidRequestException"] * 3


@pytest.mark.parametrize(
    "name",
    ["invoice\u200fexe.pdf", "a\u200db.pdf", "\ufeffa.pdf", "a\u0085.pdf", "a\x07.pdf"],
    ids=["rlm", "zwj", "bom", "c1-nel", "c0-bell"],
)
def test_the_stand_in_refuses_a_file_name_with_control_or_format_characters(
    connect_client: Any, ids: Any, name: str
) -> None:
    case_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{uuid.uuid4()}"

    with pytest.raises(ClientError) as caught:
        connect_client.start_attached_file_upload(
            InstanceId=INSTANCE,
            FileName=name,
            FileSizeInBytes=3,
            FileUseCaseType="ATTACHMENT",
            AssociatedResourceArn=case_arn,
        )

    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"


async def test_a_name_with_control_and_format_characters_is_uploaded_without_them(
    backend: ConnectCasesBackend, client: Any, connect_client: Any, ids: Any
) -> None:
    conversation = f"whatsapp:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")
    sneaky = Attachment(
        name="\ufeffinvoice\u202egpj\u200d.pdf\u0085", content_type="application/pdf", data=b"%PDF"
    )

    await backend.attach_file(case.ref, sneaky)

    [item] = client.search_related_items(
        domainId=ids.domain, caseId=case.case_id, filters=[{"file": {}}]
    )["relatedItems"]
    case_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{case.case_id}"
    stored = connect_client.get_attached_file(
        InstanceId=INSTANCE,
        FileId=item["content"]["file"]["fileArn"].rsplit("/", 1)[1],
        AssociatedResourceArn=case_arn,
    )
    assert stored["FileName"] == "invoicegpj.pdf"

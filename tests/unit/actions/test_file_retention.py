"""A file the case took leaves the media folder at once; one it did not take stays for a retry."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ANN_PHONE, FakeCases, tracker, whatsapp

from actions.files import ActionShareFile
from actions.kit.sdk import CollectingDispatcher
from actions.kit.settings import ActionSettings
from cases.backend import BackendUnavailable

PHOTO = b"\xff\xd8\xff\xe0 a photo of the router"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    return folder


@pytest.fixture
def file_settings(settings: ActionSettings, media: Path) -> ActionSettings:
    return settings.model_copy(update={"actions_media_dir": media})


def share(photo: Path) -> object:
    item = {"id": "wamid-media-1", "mime_type": "image/jpeg", "path": str(photo)}
    return tracker(
        intent="share_file",
        metadata={**whatsapp(), "media": [item]},
        slots={"case_ref": "12345678"},
    )


async def test_an_attached_file_is_removed_from_the_media_folder(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    other = media / "wamid-media-2.jpg"
    other.write_bytes(PHOTO)
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)

    await ActionShareFile(cases, file_settings).run(CollectingDispatcher(), share(photo), {})

    assert [file.data for _, file, _ in cases.files] == [PHOTO]
    assert not photo.exists()
    assert other.exists(), "only the file attached goes"


async def test_a_file_the_case_system_could_not_take_stays_for_the_next_try(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)

    async def down(*args: object) -> None:
        raise BackendUnavailable("down")

    cases.attach_file = down  # type: ignore[method-assign]
    dispatcher = CollectingDispatcher()

    await ActionShareFile(cases, file_settings).run(dispatcher, share(photo), {})

    assert [m["response"] for m in dispatcher.messages] == ["utter_file_not_attached"]
    assert photo.exists()

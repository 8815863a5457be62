"""Files users send: the share_file turn the gateway sends Rasa, and how a file is saved."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from actions.kit.media import ALLOWED_TYPES
from api.media import ACCEPTED_TYPES, Saved, TooLarge, accepted_type, save, share_file_text

# Rasa 3.6's pattern for "/intent{entities}" (YAMLStoryReader._regex_message_pattern)
RASA_INTENT_MESSAGE = re.compile(
    r"^/(?P<intent>[^{@]+)(?P<conf>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)"
)


def parsed(text: str) -> tuple[str, dict[str, str], str]:
    match = RASA_INTENT_MESSAGE.match(text)
    assert match is not None
    entities = json.loads(match["entities"]) if match["entities"] else {}
    return match["intent"], entities, match["rest"]


def test_a_file_without_a_caption_is_the_bare_intent() -> None:
    assert parsed(share_file_text(None)) == ("share_file", {}, "")
    assert parsed(share_file_text("  ")) == ("share_file", {}, "")


@pytest.mark.parametrize(
    "caption",
    [
        "the damaged box",
        'my "router" {broken} @ home',
        "line one\nline two",
        "écran cassé ✓",
        '"}, "case_ref": "00000001',
    ],
)
def test_the_caption_reaches_rasa_whole_as_the_only_entity(caption: str) -> None:
    assert parsed(share_file_text(caption)) == ("share_file", {"caption": caption}, "")


class Chunks(httpx.AsyncByteStream):
    """A body sent in pieces; ``then`` is raised after the last one, as a dropped line would."""

    def __init__(self, chunks: list[bytes], then: Exception | None = None) -> None:
        self._chunks = chunks
        self._then = then

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._then is not None:
            raise self._then


async def saved_from(stream: Chunks, path: Path, max_bytes: int) -> Saved:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=stream))
    async with (
        httpx.AsyncClient(transport=transport) as http,
        http.stream("GET", "https://media.example/1") as response,
    ):
        return await save(response, path, max_bytes)


async def test_save_writes_the_whole_file_with_its_hash_and_size(tmp_path: Path) -> None:
    path = tmp_path / "media" / "m1.jpg"
    saved = await saved_from(Chunks([b"abc", b"def"]), path, max_bytes=6)
    assert saved == Saved(path=path, sha256=hashlib.sha256(b"abcdef").hexdigest(), size=6)
    assert path.read_bytes() == b"abcdef"
    assert sorted(p.name for p in path.parent.iterdir()) == ["m1.jpg"]


async def test_save_past_the_limit_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m2.jpg"
    with pytest.raises(TooLarge):
        await saved_from(Chunks([b"abc", b"defg"]), path, max_bytes=6)
    assert list(tmp_path.iterdir()) == []


async def test_a_stream_cut_half_way_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m3.jpg"
    with pytest.raises(httpx.ReadError):
        await saved_from(Chunks([b"abc"], then=httpx.ReadError("reset")), path, max_bytes=100)
    assert list(tmp_path.iterdir()) == []


class Counted(httpx.AsyncByteStream):
    """A body that counts the chunks read from it."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk


async def test_save_refuses_a_body_announced_past_the_limit_before_reading_it(
    tmp_path: Path,
) -> None:
    body = Counted([b"x" * 1024] * 8)
    headers = {"Content-Length": str(8 * 1024)}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers=headers, stream=body))

    with pytest.raises(TooLarge):
        async with (
            httpx.AsyncClient(transport=transport) as http,
            http.stream("GET", "https://media.example/big") as response,
        ):
            await save(response, tmp_path / "big.pdf", max_bytes=4096)

    assert body.read == 0
    assert list(tmp_path.iterdir()) == []


def test_the_gateway_downloads_exactly_the_kinds_of_file_a_case_takes() -> None:
    assert frozenset(ALLOWED_TYPES) == ACCEPTED_TYPES
    assert accepted_type("application/PDF; charset=binary")
    assert not accepted_type("video/mp4")
    assert not accepted_type(None)

from __future__ import annotations

from cases.longtext import CONTINUED_MARKER, cut_for_field, split_parts


def test_text_that_fits_is_left_alone() -> None:
    assert cut_for_field("short text", 100) == "short text"


def test_long_text_is_cut_at_a_space_and_marked() -> None:
    text = "word " * 2000
    cut = cut_for_field(text, 4100)
    assert len(cut) <= 4100
    assert cut.endswith(CONTINUED_MARKER)
    assert cut.removesuffix(CONTINUED_MARKER).endswith("word")
    assert text.startswith(cut.removesuffix(CONTINUED_MARKER))


def test_text_without_spaces_is_cut_hard() -> None:
    cut = cut_for_field("x" * 5000, 4100)
    assert cut == "x" * (4100 - len(CONTINUED_MARKER)) + CONTINUED_MARKER


def test_parts_join_back_into_the_text_and_fit() -> None:
    text = "".join(f"sentence number {i} of a long story.\n" for i in range(3000))
    parts = split_parts(text, 15_000)
    assert "".join(parts) == text
    assert all(len(part) <= 15_000 for part in parts)
    assert len(parts) == -(-len(text) // 15_000) or len(parts) == -(-len(text) // 15_000) + 1
    # every part but the last ends on whitespace, so no word is split
    assert all(part[-1].isspace() for part in parts[:-1])


def test_text_without_whitespace_is_split_at_the_size() -> None:
    assert split_parts("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_short_text_is_one_part_and_empty_text_none() -> None:
    assert split_parts("hello", 10) == ["hello"]
    assert split_parts("", 10) == []

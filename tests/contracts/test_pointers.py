"""JSON pointers (RFC 6901): every path, "~" and "/" in its tokens included, reads back as written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.pointers import from_pointer, to_pointer

TOKENS = st.one_of(st.integers(min_value=0), st.text(alphabet="ab/~01", max_size=5))


@given(st.lists(TOKENS, max_size=6))
def test_a_pointer_reads_back_as_its_path(path: list[str | int]) -> None:
    assert from_pointer(to_pointer(path)) == [str(token) for token in path]


def test_the_rfc_examples() -> None:
    assert to_pointer([]) == ""
    assert to_pointer(["a/b"]) == "/a~1b"
    assert to_pointer(["m~n"]) == "/m~0n"
    assert to_pointer(["data", "attributes", "lines_changes", 0]) == (
        "/data/attributes/lines_changes/0"
    )

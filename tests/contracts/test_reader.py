"""The reader's quick path (orjson) gives what the standard library's walk gives, or steps aside."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contracts.reader import Document, NotJsonError, _plainly, _walked, read_json

# Names and text that collide, hold colons, escapes and non-ASCII; numbers of every kind JSON has.
NAMES = st.sampled_from(["a", "b", "a:b", ":", "é", "line", "x\\u"])
TEXT = st.text(alphabet='ab:é\\"\u2028{}[]0.e', max_size=6)
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 1e300, 5e-324]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.lists(st.tuples(NAMES, inner), max_size=4)
    ),  # pairs: an object, names maybe repeated
    max_leaves=12,
)


def _text(value: Any, ascii_only: bool) -> str:
    """JSON text for ``value``, where a list of pairs is an object that may repeat a name."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        members = ", ".join(
            f"{json.dumps(name, ensure_ascii=ascii_only)}: {_text(v, ascii_only)}"
            for name, v in value
        )
        return "{" + members + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v, ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def _exact(document: Document) -> tuple[str, tuple[Any, ...]]:
    """The value written so that 1, 1.0 and true differ, and the warnings."""
    return json.dumps(document.value), tuple(v.to_dict() for v in document.warnings)


@settings(max_examples=300, deadline=None)
@given(value=VALUES, ascii_only=st.booleans())
@example(value=[("a", 1), ("a", 2)], ascii_only=True)  # a repeated name
@example(value=[("a:b", "x"), ("a:b", ":")], ascii_only=True)  # colons in the repeat
@example(value=2**64, ascii_only=True)  # read as a float by orjson
@example(value=[("a", 1.5)], ascii_only=False)
def test_the_quick_path_reads_as_the_walk_does_or_steps_aside(value: Any, ascii_only: bool) -> None:
    data = _text(value, ascii_only).encode()
    walked = _walked(data)
    quick = _plainly(data)
    if quick is None:
        return
    assert _exact(quick) == _exact(walked)
    assert quick.has_floats or not walked.has_floats  # it may only err towards True


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',
        b'{"a": {"b": ":", "b": "::"}}',
        b'{"a": 18446744073709551616}',
        b'{"a": 1e400}',
        b'{"a": "\\ud800"}',
        b'{"a": "\\u003a", "a": 1}',
        b"[" * 600 + b"]" * 600,
        b'{"a":' * 300 + b"1" + b"}" * 300,  # orjson reads it, and cannot write it again
    ],
)
def test_what_the_quick_path_cannot_tell_goes_the_slow_way(data: bytes) -> None:
    assert _plainly(data) is None
    assert _exact(read_json(data)) == _exact(_walked(data))


@pytest.mark.parametrize(
    "data",
    [b"", b"NaN", b'{"a": 1,}', b"\xff", b'"\x01"', b"[" * 1000, b"[" * 1000 + b"]" * 1000],
)
def test_refusals_still_come_from_the_walk(data: bytes) -> None:
    with pytest.raises(NotJsonError) as quick:
        read_json(data)
    with pytest.raises(NotJsonError) as walked:
        _walked(data)
    assert quick.value.message == walked.value.message

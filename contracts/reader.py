"""The one JSON reader: bytes in, a value (or a located error) out.

The server's API, ``/oauth/token``, the control API, ``clarus-mock check`` and the fixture packs all read
JSON through :func:`read_json`, so the same bytes get the same verdict everywhere. JSON here is RFC 8259
as the vendor's (Rails) parser reads it:

- not JSON (:class:`NotJsonError`, the server's 400, ``check``'s exit 2): an empty document, a UTF-8
  byte order mark, bytes that are not UTF-8, ``NaN`` / ``Infinity``, a syntax error (with line and
  column), nesting deeper than Python can parse, an integer longer than Python converts (4,300
  digits);
- JSON, reported later at the member's pointer by :func:`contracts.validate`: a number that overflows to
  infinity (``1E400``, rule ``not_finite``) and a lone surrogate escape (``"\\ud800"``, rule
  ``invalid_unicode``), because the document is well formed and the pointer helps more than a column;
- JSON with a warning: a member name repeated in one object. The last value wins, as in the vendor's
  parser, and :attr:`Document.warnings` holds a ``duplicate_key`` warning at the member's pointer.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import orjson

from contracts.pointers import to_pointer
from contracts.violations import ContractError, Violation

_BOM = b"\xef\xbb\xbf"
# What _plainly looks for, each as one byte: every digit "0", the marks a fraction or an exponent
# start with (".", "e", "E") ".", an opening bracket "[", the rest " ". A number with a fraction
# or exponent reads "0.", an integer past 64 bits nineteen "0"s.
_NUMBER_MARKS = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x2E if b in b".eE" else 0x5B if b in b"[{" else 0x20
    for b in range(256)
)
_LONG_DIGITS = b"0" * 19


class NotJsonError(ContractError):
    """Bytes that are not a JSON document.

    Cause: an empty body, a byte order mark, bytes that are not UTF-8, ``NaN``/``Infinity`` or a syntax
    error. Fix: send one UTF-8 JSON document (``line`` and ``column`` say where it broke, when known).
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Document:
    """A parsed JSON document and the warnings reading it raised (``duplicate_key``)."""

    value: Any
    warnings: tuple[Violation, ...] = field(default=())
    has_floats: bool = False  # any number with a fraction or exponent: normalising may be needed


class _Duplicates(dict[str, Any]):
    """An object that repeated a member name; ``names`` lists the repeated ones."""

    names: list[str]


def _repeated(names: list[str]) -> list[str]:
    """Each name that was seen before, once per repeat, in document order."""
    seen: set[str] = set()
    repeats = []
    for name in names:
        if name in seen:
            repeats.append(name)
        seen.add(name)
    return repeats


def _refuse_constant(name: str) -> Any:
    raise NotJsonError(f"{name} is not a JSON value (send a number or null)")


def read_json(data: bytes) -> Document:
    """Parse ``data`` as one JSON document; raise :class:`NotJsonError` saying where it is not."""
    if data.startswith(_BOM):
        raise NotJsonError(
            "a UTF-8 byte order mark is not JSON (remove the first three bytes)", 1, 1
        )
    return _plainly(data) or _walked(data)


def _walked(data: bytes) -> Document:
    """:func:`read_json` by the standard library, every object through a hook that notes repeated
    names and every number through one that notes fractions: slow, and exact about everything."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise NotJsonError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at line {line} column {column}",
            line,
            column,
        ) from exc
    if not text.strip():
        raise NotJsonError("empty input: expected a JSON document")
    state = {"dupes": False, "floats": False}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) != len(items):
            state["dupes"] = True
            marked = _Duplicates(obj)
            marked.names = _repeated([k for k, _ in items])
            return marked
        return obj

    def number(literal: str) -> float:
        state["floats"] = True
        return float(literal)

    try:
        value = json.loads(
            text, object_pairs_hook=pairs, parse_constant=_refuse_constant, parse_float=number
        )
    except json.JSONDecodeError as exc:
        raise NotJsonError(
            f"{exc.msg.lower()} at line {exc.lineno} column {exc.colno}", exc.lineno, exc.colno
        ) from exc
    except RecursionError as exc:
        raise NotJsonError("nested too deeply to be a JSON document for this API") from exc
    except NotJsonError:
        raise  # NaN or Infinity, refused by _refuse_constant with its own message
    except ValueError as exc:
        # Python converts at most sys.get_int_max_str_digits() digits (4,300) to an int, and
        # raises a plain ValueError, without a place, for a longer integer.
        raise NotJsonError(
            f"a number has more digits than this API reads ({sys.get_int_max_str_digits()} at most)"
        ) from exc
    warnings: tuple[Violation, ...] = ()
    if state["dupes"]:
        value, found = _unmark(value)
        warnings = tuple(found)
    return Document(value, warnings, state["floats"])


def _plainly(data: bytes) -> Document | None:
    """The document, when orjson reads ``data`` and no object in it repeats a member name; None
    leaves the verdict to the standard library's walk below, which explains every refusal.

    Why: the walk's hooks cost 30 us on a 20-line order, orjson and the checks here 18.

    - A repeat is seen by counting colons: outside strings there is one per member, and orjson,
      which keeps one member of a repeated name, writes every colon of a string as it is. So the
      value written again has fewer colons than ``data`` exactly when a member was dropped, unless
      an escape (``\\u003a``) wrote one: text with any ``\\u`` goes the slow way.
    - What orjson refuses (NaN, a number past a double, a lone surrogate, a syntax error) goes
      the slow way too, which reads or explains it; so does what it reads otherwise: a run of 19
      digits (an integer past 64 bits becomes a float in orjson, stays exact here) and more than
      250 opening brackets (orjson writes 255 levels at most, and Python reads about 990).
    - ``has_floats`` errs towards True: any digit followed by ``.``, ``e`` or ``E``, in a string
      too, makes it so (a fraction or exponent cannot be written otherwise).
    """
    marks = data.translate(_NUMBER_MARKS)
    # Most bodies hold no backslash at all, and one byte is found far faster than two.
    escaped = data.find(b"\\") >= 0 and b"\\u" in data
    if escaped or _LONG_DIGITS in marks or marks.count(b"[") > 250:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if data.count(b":") != orjson.dumps(value).count(b":"):
        return None
    return Document(value, (), b"0." in marks)


def _unmark(root: Any) -> tuple[Any, list[Violation]]:
    """Plain dicts again, and a ``duplicate_key`` warning for each repeated member."""
    found: list[Violation] = []

    def plain(node: Any) -> tuple[Any, list[str]]:
        if isinstance(node, _Duplicates):
            return dict(node), node.names
        return node, []

    root, names = plain(root)
    stack: list[tuple[Any, list[str | int], list[str]]] = [(root, [], names)]
    while stack:
        node, path, repeated = stack.pop()
        for name in repeated:
            found.append(
                Violation(
                    to_pointer([*path, name]),
                    "duplicate_key",
                    f"`{name}` appears more than once in this object; the last value is used",
                    hint="send each member once",
                    severity="warning",
                    instance=node[name],
                )
            )
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            if isinstance(child, (dict, list)):
                child, names = plain(child)
                node[key] = child
                stack.append((child, [*path, key], names))
    found.sort(key=lambda v: v.pointer)
    return root, found


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
}


def json_type(value: Any) -> str:
    """The JSON type name of a Python value (``null`` for None)."""
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), type(value).__name__)

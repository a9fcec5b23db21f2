"""Read payloads from files, folders, JSON Lines and stdin, turning every bad input into a message.

Nothing a user feeds in may end in a stack trace: a file too large, bytes that are not UTF-8, text that
is not JSON (we say the line and column), a document nested too deeply. Each becomes an
:class:`InputError` that the report prints and that makes the command exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from contracts.reader import NotJsonError, read_json
from contracts.violations import Violation

MAX_BYTES = 10 * 1024 * 1024
_JSONL = {".jsonl", ".ndjson"}
_PAYLOAD_FILES = {".json", *_JSONL}
_RECORD_KEYS = {"operation", "method", "path", "body"}


@dataclass(frozen=True)
class Payload:
    """One payload and where it came from (``file`` or ``file:line`` for JSON Lines)."""

    source: str
    body: Any
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    file: str = ""
    line: int | None = None
    warnings: tuple[Violation, ...] = field(default=())  # from reading: duplicate_key
    # Whether the file (or its line) is exactly the body, so a replay can send its bytes as they
    # are: not for a request record, whose body is one member of it.
    verbatim: bool = True


@dataclass(frozen=True)
class InputError:
    """Input that could not be read as a payload, with the reason in words."""

    source: str
    message: str


def read_payloads(paths: list[str], max_bytes: int = MAX_BYTES) -> Iterator[Payload | InputError]:
    """Every payload in ``paths`` (files, folders searched for *.json/*.jsonl, or ``-`` for stdin)."""
    for raw in paths:
        if raw == "-":
            yield from _read_bytes("<stdin>", sys.stdin.buffer.read(max_bytes + 1), max_bytes, None)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in _PAYLOAD_FILES and p.is_file())
            if not files:
                yield InputError(raw, "no .json, .jsonl or .ndjson files in this folder")
            for file in files:
                yield from _read_file(file, max_bytes)
        elif path.is_file():
            yield from _read_file(path, max_bytes)
        else:
            yield InputError(raw, "no such file or folder")


def _read_file(path: Path, max_bytes: int) -> Iterator[Payload | InputError]:
    size = path.stat().st_size
    if size > max_bytes:
        yield InputError(str(path), f"file is {_size(size)}, over the {_size(max_bytes)} limit")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    yield from _read_bytes(str(path), data, max_bytes, path.suffix)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _read_bytes(
    source: str, data: bytes, max_bytes: int, suffix: str | None
) -> Iterator[Payload | InputError]:
    if len(data) > max_bytes:
        yield InputError(source, f"input is over the {_size(max_bytes)} limit")
        return
    if suffix in _JSONL:
        yield from _read_lines(source, data)
        return
    document = _parse(source, data)
    if isinstance(document, InputError) and "extra data" in document.message and suffix is None:
        yield from _read_lines(source, data)  # stdin: JSON Lines if it is not one document
        return
    yield document if isinstance(document, InputError) else _payload(source, *document)


def _read_lines(source: str, data: bytes) -> Iterator[Payload | InputError]:
    count = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        count += 1
        where = f"{source}:{number}"
        document = _parse(where, line)
        if isinstance(document, InputError):
            yield document
        else:
            yield _payload(where, *document, file=source, line=number)
    if count == 0:
        yield InputError(source, "no payloads (the file is empty)")


def _parse(source: str, data: bytes) -> tuple[Any, tuple[Violation, ...]] | InputError:
    """The one JSON reader (the server's too): the same bytes get the same verdict."""
    try:
        document = read_json(data)
    except NotJsonError as exc:
        return InputError(source, f"not JSON: {exc.message}")
    return document.value, document.warnings


MAX_DEPTH = 32


def _depth(document: Any) -> int:
    """Nesting depth, without recursion (the document may be deeper than Python's stack)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, level + 1) for child in children)
    return deepest


def _payload(
    source: str,
    document: Any,
    warnings: tuple[Violation, ...] = (),
    file: str = "",
    line: int | None = None,
) -> Payload | InputError:
    if not isinstance(document, dict):
        kind = "an array" if isinstance(document, list) else f"a {type(document).__name__}"
        return InputError(source, f"expected a JSON object (one payload), got {kind}")
    if _depth(document) > MAX_DEPTH:
        return InputError(source, f"nested over {MAX_DEPTH} levels deep: not a Clarus payload")
    file = file or source
    if isinstance(document, dict) and "body" in document and set(document) <= _RECORD_KEYS:
        # A request record (as a journal export holds): the body plus how it was sent.
        return Payload(
            source,
            document["body"],
            _str(document.get("operation")),
            _str(document.get("method")),
            _str(document.get("path")),
            file,
            line,
            tuple(
                replace(w, pointer=w.pointer[5:])
                for w in warnings
                if w.pointer.startswith("/body/")
            ),
            verbatim=False,
        )
    return Payload(source, document, file=file, line=line, warnings=warnings)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None

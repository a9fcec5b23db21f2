"""What an HTTP client sent, read the same way at every entry point (``/api``, ``/oauth/token``, ``/__mock``).

One media-type parser, one content decoder and one size limit in front of the one JSON reader
(:func:`contracts.reader.read_json`), so a body means the same thing wherever it is sent:

- the media type matches case-insensitively, with any parameters (``Application/JSON; charset=utf-8``,
  ``application/vnd.api+json``);
- ``Content-Encoding: gzip`` and ``deflate`` are decoded; any other encoding is 415 with
  ``Accept-Encoding: gzip, deflate``;
- the size limit holds for the bytes read and for the decoded body, and is enforced while reading: a
  larger (chunked) body is cut off at the limit, never buffered whole;
- client text never reaches a decoder that can raise: bytes that are not UTF-8 are a 400 with their
  place, numbers in query strings are ASCII digits or nothing.
"""

from __future__ import annotations

import re
import zlib
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from contracts.reader import Document, NotJsonError, read_json
from mock_server.errors import ApiError

ENCODINGS = ("gzip", "deflate")
_DIGITS = re.compile(r"[0-9]{1,19}")


def media_type(value: str | None) -> str:
    """``type/subtype`` of a Content-Type value, lower case, without parameters (``""`` if none)."""
    return (value or "").split(";", 1)[0].strip().lower()


def is_json(kind: str) -> bool:
    """Whether a media type (from :func:`media_type`) is JSON: ``application/json`` or ``*/*+json``."""
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def whole_number(text: str | None) -> int | None:
    """A non-negative integer written in ASCII digits (``"²"`` and ``"٣"`` are not), else None."""
    return int(text) if text is not None and _DIGITS.fullmatch(text) else None


async def read_bytes(request: Request, limit: int) -> bytes:
    """The decoded body: at most ``limit`` bytes read and ``limit`` bytes decoded (413 beyond)."""
    encodings = _encodings(request.headers.get("content-encoding"))
    declared = whole_number(request.headers.get("content-length"))
    if declared is not None and declared > limit:
        raise ApiError(413, f"body is {declared} bytes, over the {limit} byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            # Stop reading here: a body of hundreds of MiB must not be buffered to be refused.
            raise ApiError(413, f"body is over the {limit} byte limit")
        chunks.append(chunk)
    raw = b"".join(chunks)
    for encoding in reversed(encodings):
        raw = _decode(raw, encoding, limit)
    return raw


def _encodings(header: str | None) -> list[str]:
    names = [part.strip().lower() for part in (header or "").split(",") if part.strip()]
    names = [name for name in names if name != "identity"]
    for name in names:
        if name not in ENCODINGS:
            raise ApiError(
                415,
                f"Content-Encoding {name!r} is not supported; send gzip, deflate or no encoding",
                headers={"Accept-Encoding": ", ".join(ENCODINGS)},
            )
    return names


def _decode(raw: bytes, encoding: str, limit: int) -> bytes:
    """Decompress at most ``limit + 1`` bytes, so a small body cannot inflate without bound."""
    # gzip framing, then zlib framing; some clients send raw deflate for "deflate".
    attempts = (31,) if encoding == "gzip" else (15, -15)
    for wbits in attempts:
        decoder = zlib.decompressobj(wbits)
        try:
            out = decoder.decompress(raw, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit:
            raise ApiError(413, f"the decoded body is over the {limit} byte limit")
        if decoder.eof and not decoder.unused_data:
            return out
    raise ApiError(400, f"the body is not valid {encoding} data (Content-Encoding: {encoding})")


async def read_document(request: Request, limit: int) -> Document:
    """The body as a JSON document: 413 too large, 415 not JSON media, 400 not JSON."""
    raw = await read_bytes(request, limit)
    if raw.strip() and not is_json(media_type(request.headers.get("content-type"))):
        kind = media_type(request.headers.get("content-type")) or "none"
        raise ApiError(415, f"send JSON with Content-Type: application/json (got {kind!r})")
    return parse_document(raw)


def parse_document(raw: bytes) -> Document:
    """:func:`contracts.reader.read_json` with its refusal as a 400 naming line and column."""
    try:
        return read_json(raw)
    except NotJsonError as exc:
        raise ApiError(400, f"malformed JSON: {exc.message}") from exc


async def read_fields(request: Request, limit: int) -> dict[str, Any]:
    """A JSON object or an ``application/x-www-form-urlencoded`` body (OAuth takes both)."""
    raw = await read_bytes(request, limit)
    if is_json(media_type(request.headers.get("content-type"))):
        value = parse_document(raw).value
        if not isinstance(value, dict):
            raise ApiError(400, "malformed request: the JSON body must be an object")
        return value
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"malformed form: byte {exc.start} is not UTF-8") from exc
    return dict(parse_qsl(text, keep_blank_values=True))

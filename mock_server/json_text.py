"""JSON text for the store and for responses: orjson, with the standard library as the fallback.

orjson encodes our records about ten times faster than ``json.dumps``; on a 20-line order the standard
encoder cost more than validating the order. orjson refuses integers wider than 64 bits, which the
contract allows (it sets no maximum), so those rare documents go through the standard library.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def encode(value: Any, pretty: bool = False) -> bytes:
    """``value`` as UTF-8 JSON ending in a newline; indented by two spaces when ``pretty``."""
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        text = json.dumps(value, indent=2) if pretty else json.dumps(value, separators=(",", ":"))
        return (text + "\n").encode()


def dumps(value: Any) -> str:
    """Compact JSON text for a database column."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))

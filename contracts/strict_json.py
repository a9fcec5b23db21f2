"""JSON as RFC 8259 defines it. Python's parser also reads NaN and Infinity, which the vendor's does not.

A payload with ``NaN`` would pass a ``number`` schema here and fail at the vendor, so the kit and the
server refuse it as not JSON.
"""

from __future__ import annotations

import json
from typing import Any


class NonStandardJsonError(ValueError):
    """NaN, Infinity or -Infinity in a document: Python reads them, JSON has no such values."""


def _refuse(name: str) -> Any:
    raise NonStandardJsonError(f"{name} is not a JSON value (send a number or null)")


def loads(text: str | bytes) -> Any:
    """``json.loads`` that refuses NaN and Infinity with :class:`NonStandardJsonError`."""
    return json.loads(text, parse_constant=_refuse)

"""Order violations most useful first, and drop repeats.

Like jsonschema's ``best_match``: known mistakes first (they carry the best hint), then errors before
warnings, shallower pointers before deeper ones, and a fixed keyword order. The key uses only the
violation's own data, so the pick does not depend on the order errors were found in.
"""

from __future__ import annotations

from contracts.rules import KNOWN_MISTAKES
from contracts.violations import Violation

_ORDER = [
    "jsonapi_envelope_required",
    "flat_body_required",
    "data_type",
    "change_type_on_create",
    "change_type_case",
    "address_in_attributes",
    "country_code",
    "datetime_timezone",
    "required",
    "type",
    "not_finite",
    "invalid_unicode",
    "id_as_string",
    "enum",
    "unknown_field",
    "format",
    "minimum",
    "maximum",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
    "unique_items",
    "pattern",
    "min_properties",
    "missing_item",
    "invalid",
]


def _key(v: Violation) -> tuple[int, int, int, int, str, str]:
    # An unknown field is a known mistake when we can name the field meant; otherwise it is often
    # just noise next to the real problem (password grant fields beside grant_type "password").
    guessed = v.rule != "unknown_field" or (v.hint or "").startswith("did you mean")
    known = 0 if v.rule in KNOWN_MISTAKES and guessed else 1
    order = _ORDER.index(v.rule) if v.rule in _ORDER else len(_ORDER)
    return (v.severity != "error", known, v.pointer.count("/"), order, v.pointer, v.rule)


def rank(violations: list[Violation]) -> list[Violation]:
    """Sorted, most useful first, one per (pointer, rule)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for v in sorted(violations, key=_key):
        if (v.pointer, v.rule) not in seen:
            seen.add((v.pointer, v.rule))
            out.append(v)
    return out

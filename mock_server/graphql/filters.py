"""A GraphQL filter argument compiled to the store's predicates, and the connection's cursors.

The semantics (the vendor's pages leave most of them open; the README lists them):

- ``eq`` is equality; several operators on one field, and several fields, are ANDed;
- ``like`` is a case-sensitive substring match and ``ilike`` a case-insensitive one (no wildcards:
  ``%`` and ``_`` are ordinary characters);
- ``in`` matches any of a list; ``between`` takes ``[min, max]``, both included;
- date-times compare by the instant (``from`` is ``>=``, ``to`` is ``<=``), whatever their offset;
- ``filled: true`` means the id has a value, ``false`` that it has none;
- ``all_codes`` tests ``code``, ``barcode``, ``case_barcode``, ``inner_barcode`` and
  ``outer_barcode`` and matches when any of them does.

A value the filter cannot use (an id that is not a number, ``between`` without two values, a date-time
that does not parse) is a :class:`QueryError` naming the argument.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from contracts.graphql_spec import Filter, Root
from mock_server.store import AnyOf, Cond, Predicate, Via

_COMPARE = {"eq": "eq", "gt": "gt", "gteq": "gte", "lt": "lt", "lteq": "lte"}


class QueryError(Exception):
    """A GraphQL request the read API refuses; ``code`` goes to ``extensions.code``."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(message)
        self.code = code


def compile_filter(root: Root, given: dict[str, Any] | None) -> list[Predicate]:
    """The predicates of a ``filter`` argument (a dict of filter name -> operator -> value)."""
    found: list[Predicate] = []
    by_name = {f.name: f for f in root.filters}
    for name, operators in (given or {}).items():
        if operators is None:
            continue
        spec = by_name[name]
        for operator, value in operators.items():
            if value is None:
                continue
            found.append(_predicate(spec, operator, value, f"filter.{name}.{operator}"))
    return found


def _predicate(spec: Filter, operator: str, value: Any, where: str) -> Predicate:
    if spec.kind == "any_of":
        return AnyOf(tuple(_string(name, operator, value, where) for name in spec.fields))
    if spec.kind == "via":
        inner = _string(spec.target, operator, value, where)
        return Via(spec.source, spec.resource or "", (inner,))
    if spec.kind == "back":
        inner = _id(spec.target, operator, value, where)
        return Via("id", spec.resource or "", (inner,), select=spec.source)
    if spec.kind == "status":
        return _status(spec, operator, value, where)
    if spec.values:
        return _shown(spec, operator, value, where)
    kind = spec.value_kind
    if spec.input_type == "IdInputType" or kind == "id":
        return _id(spec.source, operator, value, where)
    if spec.input_type == "DatetimeInputType":
        return _datetime(spec.source, operator, value, where)
    if spec.input_type in ("IntegerInputType", "DecimalInputType"):
        return _number(spec.source, operator, value, where)
    if spec.input_type == "BooleanInputType":
        return Cond(spec.source, "eq", bool(value))
    return _string(spec.source, operator, value, where)


def _pair(value: Any, where: str) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise QueryError(f"{where} takes [min, max]: two values, both included")
    return value[0], value[1]


def _string(field: str, operator: str, value: Any, where: str) -> Cond:
    if operator == "eq":
        return Cond(field, "eq", value)
    if operator == "like":
        return Cond(field, "contains", value)
    if operator == "ilike":
        return Cond(field, "icontains", value)
    if operator == "in":
        return Cond(field, "in", tuple(value))
    if operator == "between":
        return Cond(field, "between", _pair(value, where))
    raise QueryError(f"{where}: unknown operator")


def _integer(value: Any, where: str) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise QueryError(f"{where}: {value!r} is not an id (ids are whole numbers)") from None
    if not -(2**63) <= number < 2**63:
        raise QueryError(f"{where}: {value!r} is out of range for an id")
    return number


def _id(field: str, operator: str, value: Any, where: str) -> Cond:
    if operator == "filled":
        return Cond(field, "notnull" if value else "null")
    if operator == "in":
        return Cond(field, "in", tuple(_integer(v, where) for v in value))
    if operator == "between":
        low, high = _pair(value, where)
        return Cond(field, "between", (_integer(low, where), _integer(high, where)))
    return Cond(field, _COMPARE[operator], _integer(value, where))


def _number(field: str, operator: str, value: Any, where: str) -> Cond:
    if operator == "between":
        return Cond(field, "between", _pair(value, where))
    return Cond(field, _COMPARE[operator], value)


def instant(value: Any, where: str) -> str:
    """An ISO 8601 date-time (or date; no offset means UTC) as UTC text; else a QueryError."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise QueryError(
            f"{where}: {value!r} is not an ISO 8601 date-time (e.g. 2026-01-20T10:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _datetime(field: str, operator: str, value: Any, where: str) -> Cond:
    if operator == "between":
        low, high = _pair(value, where)
        return Cond(field, "between", (instant(low, where), instant(high, where)), as_time=True)
    op = {"eq": "eq", "from": "gte", "to": "lte"}[operator]
    return Cond(field, op, instant(value, where), as_time=True)


def _status(spec: Filter, operator: str, value: Any, where: str) -> Cond:
    codes = {status["code"]: status["id"] for status in spec.statuses}

    def matching(test: Any) -> list[int]:
        return [ident for code, ident in codes.items() if test(code)]

    if operator == "eq":
        ids = matching(lambda code: code == value)
    elif operator == "in":
        ids = matching(lambda code: code in value)
    elif operator == "like":
        ids = matching(lambda code: str(value) in code)
    elif operator == "ilike":
        ids = matching(lambda code: str(value).casefold() in code.casefold())
    else:
        low, high = _pair(value, where)
        ids = matching(lambda code: low <= code <= high)
    return Cond(spec.source, "in", tuple(ids))


def _shown(spec: Filter, operator: str, value: Any, where: str) -> Predicate:
    """A filter on a field the API shows in other words than it stores (``receiving``)."""
    stored_values = {stored for stored, _ in spec.values}

    def stored_for(shown: Any) -> list[Any]:
        found = [stored for stored, word in spec.values if word == shown]
        return found or ([] if shown in stored_values else [shown])

    if operator == "eq":
        wanted = stored_for(value)
    elif operator == "in":
        wanted = [s for v in value for s in stored_for(v)]
    else:
        raise QueryError(f"{where}: this field takes eq or in")
    conds = [Cond(spec.source, "null") if s is None else Cond(spec.source, "eq", s) for s in wanted]
    return AnyOf(tuple(conds))


def cursor(root: str, key: Any) -> str:
    """An opaque cursor for the record with ``key`` (its id) in ``root``."""
    return base64.urlsafe_b64encode(f"{root}:{key}".encode()).decode().rstrip("=")


def after_key(root: str, value: str | None) -> str | None:
    """The key a cursor of ``root`` holds; a QueryError naming ``after`` for any other."""
    if value is None:
        return None
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise QueryError(f"after: {value!r} is not a cursor this API gave out") from None
    name, _, key = text.partition(":")
    if name != root or not key:
        raise QueryError(f"after: the cursor belongs to another connection, not {root}.all")
    return key

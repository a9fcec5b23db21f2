"""The facts the domain uses, read from the schemas: status ids and codes, task types, vendor errors.

One schema, many uses: a status, a task type code or a vendor error code is written once, in
``contracts/schemas``; the domain's constants are looked up here when a module is imported, so a code
the schemas lack fails at import, not in the middle of a request. ``USED`` keeps every lookup, for
the test that walks them.
"""

from __future__ import annotations

from contracts.registry import VendorErrorSpec, event_triggers, statuses, vendor_error

# (resource, field, code) of every status the domain asked for, and every vendor error symbol.
USED: set[tuple[str, str, str]] = set()
USED_VENDOR_ERRORS: set[str] = set()


def status_ids(resource: str, field: str, *codes: str) -> tuple[int, ...]:
    """The ids of ``codes`` where a field stores ids (``goods_out_status_id``: PENDING -> 2)."""
    table = statuses(resource, field)
    for code in codes:
        _known(resource, field, table, code)
    return tuple(int(table[code]) for code in codes)


def status_codes(resource: str, field: str, *codes: str) -> tuple[str, ...]:
    """``codes`` themselves, each checked against the field's statuses (where it stores codes)."""
    table = statuses(resource, field)
    for code in codes:
        _known(resource, field, table, code)
    return codes


def _known(resource: str, field: str, table: dict[str, object], code: str) -> None:
    if code not in table:
        raise KeyError(f"{resource}.{field} has no status {code!r} in the schemas")
    USED.add((resource, field, code))


def vendor_errors(*symbols: str) -> tuple[VendorErrorSpec, ...]:
    """The vendor errors with these symbols (code, symbol and text from the schemas)."""
    USED_VENDOR_ERRORS.update(symbols)
    return tuple(vendor_error(symbol) for symbol in symbols)


def movements(resource: str, *names: str) -> tuple[str, ...]:
    """``names``, each checked to be a movement (``on``) that an automation event of the stored
    ``resource`` fires on, in the automations schema's ``x-clarus-event-sources``."""
    known = {trigger.on for trigger in event_triggers() if trigger.resource == resource}
    for name in names:
        if name not in known:
            raise KeyError(f"no automation event of {resource} fires on {name!r} in the schemas")
    return names

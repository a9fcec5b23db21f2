"""The catalogue of rule ids a :class:`~contracts.violations.Violation` can carry.

Each rule has a page ``docs/violations/<rule>.md`` generated from this table (``clarus-mock docs``), so
the id in an error body, the CLI line and the pytest report always leads to its cause and fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.registry import vendor_errors


@dataclass(frozen=True)
class Rule:
    """A rule id with the text of its documentation page."""

    id: str
    title: str
    cause: str
    fix: str
    known_mistake: bool = False


_RULES = [
    # Known mistakes integrators make: detected before the generic keyword rules and ranked first.
    Rule(
        "address_in_attributes",
        "Address sent in attributes",
        "The address block (or one of its fields) was sent inside `data.attributes`.",
        'Send it as `data.relationships.address.data = {"type": "addresses", "attributes": '
        "{...}}`.",
        True,
    ),
    Rule(
        "change_type_case",
        "Change type in the wrong case",
        'A `*_changes` item has `type` `"add"`, `"Add"`, `"update"`...; the vendor\'s values are '
        "upper case.",
        "Use `ADD`, `UPDATE` or `DESTROY`.",
        True,
    ),
    Rule(
        "change_type_on_create",
        "UPDATE or DESTROY on create",
        "A create request may only add child records; `UPDATE` and `DESTROY` need an existing record.",
        "Use `ADD` items on create; change existing lines later with PATCH and the line `id`.",
        True,
    ),
    Rule(
        "country_code",
        "Country code not ISO 3166-1 alpha-2",
        "`country_code` must be a two-letter upper-case ISO 3166-1 alpha-2 code.",
        "Send `GB`, `BE`, `DE`...: upper case, two letters (not `gb`, not `GBR`).",
        True,
    ),
    Rule(
        "datetime_timezone",
        "Date-time without a timezone",
        "The vendor takes ISO 8601 date-times with an offset; without one the instant is ambiguous.",
        "Add `Z` or an offset: `2026-01-20T10:00:00Z`, `2026-01-20T11:00:00+01:00`.",
        True,
    ),
    Rule(
        "empty_string",
        "Empty string for an optional field",
        'An optional field was sent as `""`. The vendor docs say to omit unknown values; the mock '
        "accepts it and treats it as omitted, and reports this warning.",
        "Leave the field out of the payload (or send `null` where the field is nullable).",
        True,
    ),
    Rule(
        "id_as_string",
        "Id sent as a string",
        'An integer id was sent as a string (`"42"`). Request bodies take integer ids, but the '
        "vendor hands many ids out as strings (product storage units, tasks, suppliers, customers, "
        'carriers...) and a Rails server reads `"42"` as 42, so clarus-mock accepts it with this '
        "warning (an error under `--strict`).",
        "Send the number: `42`.",
        True,
    ),
    Rule(
        "vendor_contradiction",
        "The vendor's pages contradict each other",
        "The payload follows one vendor page and breaks another: a curl example leaves out a field "
        "its own Key Fields table requires, sends a field no request field list documents, or a "
        "value longer than the field's documented limit. clarus-mock accepts both forms with this "
        "warning, which names the two pages (an error under `--strict`).",
        "Follow the field table (the hint says which form is the documented one), or keep the "
        "example's form knowing that the vendor's documentation disagrees with itself.",
        True,
    ),
    Rule(
        "jsonapi_included",
        "JSON:API `included` sent",
        "`included` (a JSON:API compound document) was sent. The vendor creates one resource per "
        "request and reads nothing from `included`.",
        "Create each related record with its own request first, then send its id.",
        True,
    ),
    Rule(
        "jsonapi_envelope_required",
        "Flat body sent to a JSON:API endpoint",
        'This endpoint takes `{"data": {"type", "attributes"}}`; the fields were sent at the top '
        "level.",
        'Wrap the fields: `{"data": {"type": "<resource>", "attributes": {...}}}`.',
        True,
    ),
    Rule(
        "flat_body_required",
        "JSON:API body sent to a flat endpoint",
        "This endpoint takes its fields at the top level (the vendor says it does not use JSON:API).",
        'Send the fields unwrapped, e.g. `{"ids": [1, 2]}`.',
        True,
    ),
    Rule(
        "data_type",
        "Wrong data.type",
        "`data.type` names another resource than the endpoint's.",
        "Send the endpoint's resource type (the plural resource name, e.g. `goods_outs`).",
        True,
    ),
    Rule(
        "unknown_field",
        "Unknown field",
        "The field is not part of the contract. Clarus-mock rejects unknown fields rather than "
        "ignoring them, so a typo cannot silently drop data.",
        "Use the nearest known field named in the hint, or remove the field.",
        True,
    ),
    # Generic JSON Schema rules.
    Rule(
        "required",
        "Required field missing",
        "A required member is absent.",
        "Add the member named by the pointer.",
    ),
    Rule(
        "type",
        "Wrong JSON type",
        "The value has another JSON type than the contract's.",
        "Send the type the message names (a number is not a string, null is not allowed everywhere).",
    ),
    Rule(
        "enum",
        "Value not allowed",
        "The value is not one of the allowed values.",
        "Use one of the values the message lists (values are case-sensitive).",
    ),
    Rule(
        "format",
        "Badly formatted value",
        "The string does not match the field's format.",
        "Follow the format the message names.",
    ),
    Rule(
        "max_length",
        "String too long",
        "The string is longer than the field allows.",
        "Shorten it to the limit the message gives.",
    ),
    Rule(
        "min_length",
        "String too short",
        "The string is shorter than the field allows (often empty).",
        "Send a non-empty value.",
    ),
    Rule(
        "minimum",
        "Number too small",
        "The number is below the smallest value allowed.",
        "Send a value at or above the limit (quantities are positive).",
    ),
    Rule(
        "maximum",
        "Number too large",
        "The number is above the largest value allowed.",
        "Send a value at or below the limit.",
    ),
    Rule(
        "min_items",
        "Too few items",
        "The array has fewer items than required (often empty).",
        "Send at least the number of items the message gives.",
    ),
    Rule(
        "max_items",
        "Too many items",
        "The array has more items than allowed.",
        "Split the request.",
    ),
    Rule("unique_items", "Duplicate items", "The array repeats an item.", "Send each item once."),
    Rule(
        "pattern",
        "Value does not match the pattern",
        "The string does not match its pattern.",
        "Follow the pattern the message names.",
    ),
    Rule(
        "min_properties",
        "Empty object",
        "The object needs at least one member.",
        "Add one of the members the message names.",
    ),
    Rule(
        "invalid",
        "Invalid value",
        "The value breaks a constraint the kit has no better words for.",
        "Compare the value with the field's schema in the reference.",
    ),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
KNOWN_MISTAKES = frozenset(rule.id for rule in _RULES if rule.known_mistake)

RULES["missing_item"] = Rule(
    "missing_item",
    "Required item missing from a list",
    "The list must hold an item of a given shape (a webhook action needs a `url` parameter).",
    "Add the item the message describes.",
)
# Rules the server checks beyond the schema (they need the tenant's state).
RULES["unknown_reference"] = Rule(
    "unknown_reference",
    "Referenced record does not exist",
    "An id in the payload names a record that does not exist in this tenant (or is of another kind).",
    "Create the record first and use the id its create response returned; ids never cross tenants.",
)
RULES["not_unique"] = Rule(
    "not_unique",
    "Value already taken",
    "The field must be unique and another record already has this value.",
    "Use another value, or update the existing record (its id is in the message).",
)
RULES["webhook_url"] = Rule(
    "webhook_url",
    "Webhook address the mock cannot call",
    "A webhook action's `url` parameter must be an absolute http or https URL with a host (and a "
    "port from 1 to 65535); the mock also refuses its own control API (`/__mock/...`), which a "
    "delivery would change or wipe each time the automation fires.",
    "Give your receiver's address, e.g. `http://127.0.0.1:9000/hook`; `clarus-mock listen` "
    "starts one and prints it.",
)
RULES["invalid_state"] = Rule(
    "invalid_state",
    "Not allowed in the record's current status",
    "The record's status does not allow this change (e.g. editing lines of a dispatched order).",
    "Check the record's status first; the message names it.",
)
RULES["not_finite"] = Rule(
    "not_finite",
    "Number that is not finite",
    "A number overflowed to infinity when read (`1E400`), or a Python caller passed `nan` or "
    "`inf`. JSON numbers are finite, and the vendor cannot store these.",
    "Send a number within the double range (about ±1.7e308), or null.",
)
RULES["invalid_unicode"] = Rule(
    "invalid_unicode",
    "Text that is not Unicode",
    'A string (or member name) holds an unpaired UTF-16 surrogate, such as the escape `"\\ud800"` '
    "without its pair. It is not a character, and no database can store it as text.",
    "Send UTF-8 text; escape a character outside the Basic Multilingual Plane as a surrogate pair "
    '(`"\\ud83d\\ude00"`).',
)
RULES["duplicate_key"] = Rule(
    "duplicate_key",
    "Member name repeated in one object",
    "An object names the same member twice. As in the vendor's parser, the last value wins; the "
    "earlier ones are silently lost, which is rarely what the sender meant (a warning).",
    "Send each member once.",
)
RULES["id_mismatch"] = Rule(
    "id_mismatch",
    "data.id is not the id in the path",
    "An update body's `data.id` names another record than the URL. JSON:API answers 409 Conflict; "
    "nothing is changed.",
    "Send the id of the record in the path, or leave `data.id` out.",
)
RULES["nesting_too_deep"] = Rule(
    "nesting_too_deep",
    "Document nested too deeply",
    "The payload nests arrays or objects deeper than any Clarus payload can.",
    "Send the documented shape; no Clarus payload nests more than a few levels.",
)
RULES["unsuitable_reference"] = Rule(
    "unsuitable_reference",
    "Referenced record cannot be used here",
    "The id names a record that exists but is of the wrong kind for this request: a reason code of "
    "another `reason_type` or inactive, a location of another type or warehouse, an account that "
    "is not short-pickable.",
    "Use a record of the kind the message names (the message says what the record is instead).",
)
RULES["not_enough_stock"] = Rule(
    "not_enough_stock",
    "Quantity above the stock record's free quantity",
    "The quantity is more than the stock record holds once its allocated quantity is set aside.",
    "Send at most the free quantity the message gives, or cancel the orders that hold the stock.",
)
# The vendor's numeric domain errors (the pick processing and short order lines pages): the rule id
# is the vendor's symbol, and the error body carries the number as `code` beside it. Code, symbol
# and text are written once, in the schemas' x-clarus-vendor-errors table.
for _vendor in vendor_errors().values():
    RULES[_vendor.symbol] = Rule(
        _vendor.symbol,
        f"Vendor error {_vendor.code}: {_vendor.title}",
        _vendor.cause,
        _vendor.fix,
    )

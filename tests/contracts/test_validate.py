"""The validator: clean payloads, every known mistake's hint, ranking, and hostile input."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from contracts import (
    UndetectableOperationError,
    UnknownOperationError,
    Violation,
    detect_operation,
    get_operation,
    is_valid,
    validate,
)
from contracts.ranking import rank


def order() -> dict[str, Any]:
    return {
        "data": {
            "type": "goods_outs",
            "attributes": {
                "goods_out_type": "sales_order",
                "account_id": 1,
                "warehouse_id": 1,
                "reference": "SO-001",
                "expected_date_of_dispatch": "2024-01-20T10:00:00Z",
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": 123, "order_quantity": 10}}
                ],
            },
            "relationships": {
                "address": {
                    "data": {
                        "type": "addresses",
                        "attributes": {
                            "name": "John Smith",
                            "postcode": "AB1 2CD",
                            "country_code": "GB",
                        },
                    }
                }
            },
        }
    }


def first(operation: str, payload: Any) -> Violation:
    violations = validate(operation, payload)
    assert violations, "expected a violation"
    return violations[0]


def test_clean_order_has_no_violations() -> None:
    assert validate("goods_outs.create", order()) == []
    assert is_valid("goods_outs.create", order())


def test_address_in_attributes_points_at_attributes_and_names_relationships() -> None:
    payload = order()
    payload["data"]["attributes"]["address"] = payload["data"].pop("relationships")["address"][
        "data"
    ]["attributes"]
    violations = validate("goods_outs.create", payload)
    assert [(v.pointer, v.rule) for v in violations] == [
        ("/data/attributes/address", "address_in_attributes")
    ]
    assert "/data/relationships/address" in (violations[0].hint or "")


def test_missing_address_is_one_violation_not_a_dozen() -> None:
    payload = order()
    del payload["data"]["relationships"]
    assert [(v.pointer, v.rule) for v in validate("goods_outs.create", payload)] == [
        ("/data/relationships/address", "required")
    ]


def test_work_order_needs_no_address() -> None:
    payload = order()
    payload["data"]["attributes"]["goods_out_type"] = "work_order"
    del payload["data"]["relationships"]
    assert validate("goods_outs.create", payload) == []


@pytest.mark.parametrize("value", ["add", "Add", "aDD"])
def test_change_type_case(value: str) -> None:
    payload = order()
    payload["data"]["attributes"]["lines_changes"][0]["type"] = value
    v = first("goods_outs.create", payload)
    assert (v.pointer, v.rule, v.hint) == (
        "/data/attributes/lines_changes/0/type",
        "change_type_case",
        'use "ADD"',
    )


@pytest.mark.parametrize("kind", ["UPDATE", "DESTROY"])
def test_update_or_destroy_on_create_is_one_violation(kind: str) -> None:
    payload = order()
    payload["data"]["attributes"]["lines_changes"][0].update({"type": kind, "id": 5})
    violations = validate("goods_outs.create", payload)
    assert [(v.pointer, v.rule) for v in violations] == [
        ("/data/attributes/lines_changes/0/type", "change_type_on_create")
    ]


def test_update_accepts_add_update_destroy() -> None:
    payload = {
        "data": {
            "type": "goods_outs",
            "attributes": {
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 1}},
                    {"type": "UPDATE", "id": 7, "attributes": {"order_quantity": 4}},
                    {"type": "DESTROY", "id": 8},
                ]
            },
        }
    }
    assert validate("goods_outs.update", payload) == []


def test_destroy_carries_only_type_and_id() -> None:
    payload = {
        "data": {
            "type": "goods_outs",
            "attributes": {"lines_changes": [{"type": "DESTROY", "id": 8, "attributes": {}}]},
        }
    }
    v = first("goods_outs.update", payload)
    assert (v.rule, v.hint) == ("unknown_field", "DESTROY items carry only type and id")


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("gb", 'use upper case: "GB"'),
        ("GBR", 'use the two-letter code: "GB" (not the alpha-3 "GBR")'),
        ("deu", 'use the two-letter code: "DE" (not the alpha-3 "deu")'),
    ],
)
def test_country_code(value: str, hint: str) -> None:
    payload = order()
    payload["data"]["relationships"]["address"]["data"]["attributes"]["country_code"] = value
    v = first("goods_outs.create", payload)
    assert (v.rule, v.hint) == ("country_code", hint)


def test_datetime_without_timezone() -> None:
    payload = order()
    payload["data"]["attributes"]["expected_date_of_dispatch"] = "2024-01-20T10:00:00"
    v = first("goods_outs.create", payload)
    assert (v.pointer, v.rule) == (
        "/data/attributes/expected_date_of_dispatch",
        "datetime_timezone",
    )
    assert v.hint == "add Z or an offset, e.g. 2024-01-20T10:00:00Z"


def test_datetime_with_offset_is_fine() -> None:
    payload = order()
    payload["data"]["attributes"]["expected_date_of_dispatch"] = "2024-01-20T11:00:00+01:00"
    assert validate("goods_outs.create", payload) == []


@pytest.mark.parametrize(
    "field", ["delivery_notes", "customer_id", "dispatch_strategy", "actual_date_of_dispatch"]
)
def test_empty_string_for_optional_field_is_a_warning(field: str) -> None:
    payload = order()
    payload["data"]["attributes"][field] = ""
    violations = validate("goods_outs.create", payload)
    assert [(v.pointer, v.rule, v.severity) for v in violations] == [
        (f"/data/attributes/{field}", "empty_string", "warning")
    ]
    assert is_valid("goods_outs.create", payload)


def test_empty_string_for_required_field_is_an_error() -> None:
    payload = order()
    payload["data"]["attributes"]["reference"] = ""
    v = first("goods_outs.create", payload)
    assert (v.rule, v.severity) == ("min_length", "error")


def test_unknown_field_names_the_nearest_known_one() -> None:
    payload = order()
    attributes = payload["data"]["attributes"]
    attributes["expected_dispatch_date"] = attributes.pop("expected_date_of_dispatch")
    v = first("goods_outs.create", payload)
    assert (v.pointer, v.rule) == ("/data/attributes/expected_dispatch_date", "unknown_field")
    assert v.hint == "did you mean `expected_date_of_dispatch`?"


def test_id_as_string() -> None:
    payload = order()
    payload["data"]["attributes"]["account_id"] = "1"
    v = first("goods_outs.create", payload)
    assert (v.rule, v.severity) == ("id_as_string", "warning")
    assert (
        v.hint == "send the number without quotes: 1 (accepted as it is; an error under --strict)"
    )


def test_flat_body_on_jsonapi_endpoint() -> None:
    v = first("goods_outs.create", order()["data"]["attributes"])
    assert (v.pointer, v.rule) == ("/data", "jsonapi_envelope_required")
    assert '"type": "goods_outs"' in (v.hint or "")


def test_jsonapi_body_on_flat_endpoint() -> None:
    v = first(
        "stocks.hold", {"data": {"type": "stocks", "attributes": {"ids": [1], "description": "x"}}}
    )
    assert (v.pointer, v.rule) == ("/data", "flat_body_required")


def test_wrong_data_type() -> None:
    payload = order()
    payload["data"]["type"] = "products"
    v = first("goods_outs.create", payload)
    assert (v.pointer, v.rule) == ("/data/type", "data_type")


def test_ranking_is_order_independent() -> None:
    payload = order()
    payload["data"]["attributes"]["lines_changes"][0]["type"] = "add"
    payload["data"]["attributes"]["account_id"] = "x"
    payload["data"]["attributes"]["bogus"] = 1
    payload["data"]["attributes"]["delivery_notes"] = ""
    found = validate("goods_outs.create", payload)
    assert len(found) == 4
    for permutation in itertools.permutations(found):
        assert rank(list(permutation)) == found


def test_rank_removes_duplicates() -> None:
    v = Violation("/a", "required", "`a` is required")
    assert rank([v, v]) == [v]


def test_violation_is_plain_json_data() -> None:
    payload = order()
    payload["data"]["attributes"]["goods_out_type"] = "SALES_ORDER"
    v = first("goods_outs.create", payload)
    assert Violation.from_dict(json.loads(json.dumps(v.to_dict()))) == v
    assert v.hint == 'values are case-sensitive: use "sales_order"'
    assert v.docs_url.endswith("/docs/violations/enum.md")
    with pytest.raises(AttributeError):
        v.rule = "other"  # type: ignore[misc]


@pytest.mark.parametrize("payload", [None, 1, "x", [], [1, 2], True, 1.5])
def test_non_object_bodies(payload: Any) -> None:
    v = first("goods_outs.create", payload)
    assert (v.pointer, v.rule) == ("", "type")


def test_deeply_nested_document_is_a_violation_not_a_crash() -> None:
    deep: Any = {}
    node = deep
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    payload = order()
    payload["data"]["attributes"]["string1"] = deep
    violations = validate("goods_outs.create", payload)
    assert violations
    assert (
        violations[0].pointer.startswith("/data/attributes/string1")
        or violations[0].rule == "nesting_too_deep"
    )


def test_values_json_cannot_carry() -> None:
    payload = order()
    payload["data"]["attributes"]["string1"] = {1, 2}
    assert validate("goods_outs.create", payload)


def test_unknown_operation_names_the_nearest() -> None:
    with pytest.raises(UnknownOperationError, match=r"goods_outs\.create"):
        validate("goods_out.create", {})


def test_bodiless_operation() -> None:
    assert validate("goods_outs.cancel", None) == []
    assert validate("goods_outs.cancel", {"reason": "x"})[0].rule == "unknown_field"


@pytest.mark.parametrize(
    ("payload", "method", "path", "expected"),
    [
        (order(), None, None, "goods_outs.create"),
        (
            {"data": {"type": "goods_outs", "id": 3, "attributes": {}}},
            None,
            None,
            "goods_outs.update",
        ),
        (
            {"ids": [1], "description": "damaged", "reason_code_id": 2},
            "POST",
            "/api/stocks/release",
            "stocks.release",
        ),
        ({}, "PATCH", "/api/v1/goods_outs/12", "goods_outs.update"),
        (
            {"account_id": 1, "location_id": 2, "product_id": 3},
            None,
            None,
            "goods_out_processes.trigger_replenishment",
        ),
    ],
)
def test_detect_operation(
    payload: Any, method: str | None, path: str | None, expected: str
) -> None:
    assert detect_operation(copy.deepcopy(payload), method, path).name == expected


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"data": {"type": "goods_out", "attributes": {}}}, "did you mean 'goods_outs'"),
        ({"ids": [1]}, "fits"),
        ({"zzz": 1}, "no operation takes a flat body"),
        ([1], "not a JSON object"),
    ],
)
def test_undetectable(payload: Any, message: str) -> None:
    with pytest.raises(UndetectableOperationError, match=message):
        detect_operation(payload)


@pytest.mark.parametrize(
    ("operation", "field", "meant"),
    [
        ("products.create", "sku", "code"),
        ("products.create", "name", "description"),
        ("goods_outs.create", "ship_date", "expected_date_of_dispatch"),
        ("goods_outs.create", "order_number", "reference"),
        ("goods_in_receipts.create", "eta", "expected_date_of_arrival"),
    ],
)
def test_unknown_field_hint_knows_common_other_names(
    operation: str, field: str, meant: str
) -> None:
    payload = {"data": {"type": get_operation(operation).data_type, "attributes": {field: "x"}}}
    [v] = [v for v in validate(operation, payload) if v.rule == "unknown_field"]
    assert v.hint == f"did you mean `{meant}`? (`{field}` is another name for it)"


def test_a_line_quantity_synonym_is_hinted_in_the_line() -> None:
    payload = order()
    line = payload["data"]["attributes"]["lines_changes"][0]["attributes"]
    line["qty"] = line.pop("order_quantity")
    [v] = [v for v in validate("goods_outs.create", payload) if v.rule == "unknown_field"]
    assert v.pointer == "/data/attributes/lines_changes/0/attributes/qty"
    assert "`order_quantity`" in (v.hint or "")

"""A domain error becomes exactly the HTTP body the REST face answered before the domain had its own
errors (the bodies the server tests pin)."""

from __future__ import annotations

from contracts import Violation
from mock_server.domain.errors import NotFound, Unprocessable, VendorError
from mock_server.errors import ApiError, error_body, from_domain


def test_not_found_is_a_404_with_the_summary() -> None:
    error = from_domain(NotFound("goods_outs", 9))
    assert error.status == 404
    assert error_body(error) == {
        "error": "goods_outs 9 does not exist in this tenant",
        "errors": [
            {
                "status": "404",
                "code": "404",
                "title": "Not found",
                "detail": "goods_outs 9 does not exist in this tenant",
            }
        ],
    }


def test_unprocessable_is_a_422_with_its_violation() -> None:
    error = from_domain(
        Unprocessable("/data/attributes/account_id", "unknown_reference", "gone", "make it")
    )
    before = ApiError(
        422,
        "gone",
        [Violation("/data/attributes/account_id", "unknown_reference", "gone", "make it")],
    )
    assert error.status == 422
    assert error_body(error) == error_body(before)
    assert "code" not in error_body(error)


def test_a_vendor_error_carries_code_and_symbol_at_the_top_and_in_its_error_object() -> None:
    error = from_domain(VendorError(37, "invalid_ids_provided", "goods out 9 is unknown", "/ids/0"))
    body = error_body(error)
    assert error.status == 422
    assert (body["error"], body["code"], body["symbol"]) == (
        "goods out 9 is unknown",
        37,
        "invalid_ids_provided",
    )
    [item] = body["errors"]
    assert item["code"] == "invalid_ids_provided"
    assert item["source"] == {"pointer": "/ids/0"}
    assert (item["meta"]["code"], item["meta"]["symbol"], item["meta"]["rule"]) == (
        37,
        "invalid_ids_provided",
        "invalid_ids_provided",
    )

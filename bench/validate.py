"""Validations per second of a realistic 20-line goods out, valid and invalid, on one core.

Run: `make bench` (or `python bench/validate.py [--seconds N]`). Prints figures; it is not a test.
Targets: at least 50,000 validations per second of the valid payload, 20,000 of the one with
three mistakes (each explained with its pointer, rule and hint).
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from typing import Any

from contracts import validate


def goods_out(lines: int = 20) -> dict[str, Any]:
    """A sales order as a shop connector sends it: 20 lines, an address, a few custom fields."""
    return {
        "data": {
            "type": "goods_outs",
            "attributes": {
                "goods_out_type": "sales_order",
                "account_id": 1,
                "warehouse_id": 1,
                "reference": "SO-2026-008812",
                "expected_date_of_dispatch": "2026-11-24T10:00:00Z",
                "customer_id": 1,
                "carrier_id": 1,
                "delivery_notes": "Leave at reception",
                "external_system_reference1": "shopify-55501234",
                "string2": "DAP",
                "lines_changes": [
                    {
                        "type": "ADD",
                        "attributes": {
                            "product_id": 1 + i % 6,  # the demo pack's products
                            "order_quantity": 1 + i % 5,
                            "alt_line_reference": f"L{i + 1}",
                            "external_system_reference1": f"line-{i + 1}",
                        },
                    }
                    for i in range(lines)
                ],
            },
            "relationships": {
                "address": {
                    "data": {
                        "type": "addresses",
                        "attributes": {
                            "name": "John Smith",
                            "address_1": "123 Main Street",
                            "address_3": "Leeds",
                            "postcode": "LS1 1AA",
                            "country_code": "GB",
                            "email_address": "john@example.com",
                        },
                    }
                }
            },
        }
    }


def rate(payload: Any, seconds: float) -> tuple[float, int]:
    """Validations per second over about ``seconds``, and the violations of the last run."""
    validate("goods_outs.create", payload)  # warm the caches
    count, found = 0, 0
    # CPU time of this thread: "on one core", and steady when other work shares the machine.
    start = time.thread_time()
    while (elapsed := time.thread_time() - start) < seconds:
        for _ in range(200):
            found = len(validate("goods_outs.create", payload))
        count += 200
    return count / elapsed, found


def with_mistakes(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the three mistakes integrators make most: the address among the
    attributes, a lower-case change type, and a quantity sent as text."""
    invalid = copy.deepcopy(payload)
    address = invalid["data"].pop("relationships")["address"]["data"]["attributes"]
    invalid["data"]["attributes"]["address"] = address
    invalid["data"]["attributes"]["lines_changes"][3]["type"] = "add"
    invalid["data"]["attributes"]["lines_changes"][7]["attributes"]["order_quantity"] = "ten"
    return invalid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    valid = goods_out()
    for label, payload in (("valid", valid), ("invalid (3 mistakes)", with_mistakes(valid))):
        per_second, found = rate(payload, args.seconds)
        print(
            f"goods_outs.create, 20 lines, {label:22} {per_second:>10,.0f} validations/s "
            f"({1e6 / per_second:.1f} µs each, {found} violations)"
        )
    print("targets: >= 50,000/s valid; >= 20,000/s invalid, every violation explained")


if __name__ == "__main__":
    main()

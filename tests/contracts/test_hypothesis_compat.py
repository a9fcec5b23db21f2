"""hypothesis-jsonschema draws objects on the Hypothesis installed, before 6.170.10 or after.

Hypothesis 6.170.10 removed ``many.more()``, which hypothesis-jsonschema 0.23.1 calls for every
object; ``contracts/_hypothesis_compat.py`` gives it back. Without it every test here fails with
``AttributeError: 'many' object has no attribute 'more'`` on a current Hypothesis.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import _from_schema, from_schema

import contracts.strategies  # noqa: F401 (installs the shim, as `from contracts import valid` does)
from contracts import _hypothesis_compat, valid, validate

OLD_API = hasattr(conjecture_utils.many, "more")

# Optional members, bounded counts and a member that depends on another: every path of
# hypothesis-jsonschema's object loop (draw, stop at the bounds, reject a member that must go).
OBJECT = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "maxLength": 8},
        "quantity": {"type": "integer", "minimum": 1},
        "note": {"type": "string"},
        "unit": {"enum": ["each", "case"]},
    },
    "required": ["code"],
    "minProperties": 2,
    "maxProperties": 3,
    "additionalProperties": False,
    "dependencies": {"unit": {"properties": {"quantity": {"minimum": 10}}}},
}


def _is_valid(value: Any) -> bool:
    return jsonschema.Draft7Validator(OBJECT).is_valid(value)


def test_the_shim_is_in_place_exactly_when_hypothesis_has_no_more() -> None:
    assert _hypothesis_compat.install() is not OLD_API
    assert hasattr(_from_schema.cu.many, "more")
    # Hypothesis's own class is left as Hypothesis made it.
    assert hasattr(conjecture_utils.many, "more") is OLD_API


@given(from_schema(OBJECT))
def test_objects_are_drawn_within_their_bounds(value: dict[str, Any]) -> None:
    assert _is_valid(value), value


def test_objects_shrink_to_the_simplest_example() -> None:
    # The shrinker replays and edits the choices the object loop made; the last example a failing
    # test sees is the shrunk one. (Not find(): Hypothesis 6.130 refuses hypothesis-jsonschema's
    # objects, which draw from st.data().)
    failing: list[dict[str, Any]] = []

    @settings(max_examples=200, database=None)
    @given(from_schema(OBJECT))
    def never_quantity_with_unit(value: dict[str, Any]) -> None:
        if "quantity" in value and "unit" in value:
            failing.append(value)
            raise AssertionError(value)

    with pytest.raises(AssertionError):
        never_quantity_with_unit()
    smallest = failing[-1]
    assert _is_valid(smallest), smallest
    assert (len(smallest), smallest["code"], smallest["quantity"]) == (3, "", 10), smallest


@given(valid("products.create"))
def test_contract_payloads_are_drawn_and_clean(payload: dict[str, Any]) -> None:
    assert validate("products.create", payload) == []

"""Properties over every operation: valid examples are clean; invalid ones yield their violation first."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contracts import invalid, operations, valid, validate

WITH_BODY = [name for name, op in operations().items() if op.request_schema is not None]


# Every invalid example is a valid() draw plus one mutation; checking its original covers the
# valid property too, at half the generation cost.
# Generation for the largest contracts (automations) takes most of a minute on a busy machine.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", WITH_BODY)
def test_valid_clean_and_invalid_yields_its_violation_first(name: str) -> None:
    @given(invalid(name))
    def check(example) -> None:  # type: ignore[no-untyped-def]
        assert validate(name, example.original) == []
        violations = validate(name, example.payload)
        got = [(v.pointer, v.rule) for v in violations]
        assert got[:1] == [(example.pointer, example.rule)], (example.mutation, got)
        assert violations[0].severity == example.severity

    check()


@settings(max_examples=5)
@given(st.data())
def test_invalid_can_target_one_rule(data: st.DataObject) -> None:
    example = data.draw(invalid("goods_outs.create", rule="address_in_attributes"))
    assert example.rule == "address_in_attributes"
    assert validate("goods_outs.create", example.payload)[0].rule == "address_in_attributes"


@given(valid("goods_outs.update"))
def test_update_line_ids_are_unique(payload: dict) -> None:
    lines = payload["data"]["attributes"].get("lines_changes", [])
    ids = [line["id"] for line in lines if "id" in line]
    assert len(ids) == len(set(ids))


def test_bad_arguments_fail_at_once() -> None:
    with pytest.raises(InvalidArgument, match="rule='nope'"):
        invalid("goods_outs.create", rule="nope")
    with pytest.raises(InvalidArgument, match="takes no request body"):
        valid("goods_outs.cancel")

"""contracts.locate finds the same broken keywords as python-jsonschema's own walk."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from contracts import invalid, operations
from contracts.forms import strict_request_schema
from contracts.locate import locate

WITH_BODY = [name for name, op in operations().items() if op.request_schema is not None]


def _key(error: ValidationError) -> tuple[tuple[object, ...], tuple[object, ...], object]:
    return tuple(error.absolute_path), tuple(error.absolute_schema_path), error.validator


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", WITH_BODY)
def test_locate_reports_what_the_python_walk_reports(name: str) -> None:
    schema = strict_request_schema(name)
    walk = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    @settings(max_examples=10)
    @given(invalid(name))
    def check(example) -> None:  # type: ignore[no-untyped-def]
        found = locate(schema, example.payload)
        if found is None:  # a keyword only the Python walk explains: nothing to compare
            return
        # As sets: the Python walk reports `required` once per missing member, with the same
        # keyword, paths and value each time (its formatter reads every missing name from one).
        assert set(map(_key, found)) == set(map(_key, walk.iter_errors(example.payload)))

    check()

"""The corpus of realistic bad payloads: each yields its expected violation first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import validate

CASES = sorted((Path(__file__).parent / "bad_payloads").glob("*.json"))


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_first_violation(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    violations = validate(case["operation"], case["payload"])
    assert violations, f"{path.name}: expected {case['expect']}, got a clean payload"
    first = violations[0]
    assert (first.pointer, first.rule) == (case["expect"]["pointer"], case["expect"]["rule"]), [
        v.render() for v in violations
    ]
    assert first.message

"""The committed docs are what the schemas generate (run `make docs` after changing a schema)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.reference import generated_docs

ROOT = Path(__file__).resolve().parents[2]
DOCS = generated_docs()


@pytest.mark.parametrize("name", sorted(DOCS))
def test_doc_is_up_to_date(name: str) -> None:
    path = ROOT / name
    assert path.exists(), f"{name} missing: run `make docs`"
    assert path.read_text(encoding="utf-8") == DOCS[name], f"{name} is stale: run `make docs`"


def test_reference_marks_inferred_fields() -> None:
    page = DOCS["docs/reference.md"]
    assert "### goods_outs.create" in page
    assert "`data.attributes.warehouse_id`" in page
    assert "**inferred**" in page
    assert "**contradictory**" in page

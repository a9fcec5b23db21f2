"""Snapshots of `clarus-mock check`'s reports (text, json, junit), so any change to them is seen.

The payloads break only rules whose verdict is settled (an unknown field, a wrong enum, a missing
required field, a date-time without timezone, an address in attributes, an empty optional string).
After an intended change: `.venv/bin/pytest tests/cli/test_check_snapshots.py --snapshot-update`,
then read the diff of __snapshots__/ before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from mock_server.cli import main

ATTRIBUTES = {
    "goods_out_type": "work_order",
    "account_id": 1,
    "warehouse_id": 1,
    "reference": "WO-1",
    "expected_date_of_dispatch": "2026-01-20T10:00:00Z",
}


def _order(**changes: Any) -> dict[str, Any]:
    """A goods_outs.create payload; a change to None leaves that attribute out."""
    attributes = {k: v for k, v in {**ATTRIBUTES, **changes}.items() if v is not None}
    return {"data": {"type": "goods_outs", "attributes": attributes}}


ERRORS = _order(
    reference=None,
    expected_date_of_dispatch="2026-01-20T10:00:00",
    sku="TEE-1",
    address={"name": "Jane Doe", "country_code": "GB"},
)
RECORD = {
    "method": "PATCH",
    "path": "/api/v1/goods_outs/7",
    "body": {"data": {"type": "goods_outs", "attributes": {"sku": "TEE-1"}}},
}
# name -> (file name, content, exit code)
CASES: dict[str, tuple[str, str, int]] = {
    "clean": ("clean.json", json.dumps(_order()), 0),
    "errors": ("errors.json", json.dumps(ERRORS, indent=2), 1),
    "warning": ("warning.json", json.dumps(_order(delivery_notes="")), 0),
    "jsonl": (
        "sent.jsonl",
        "\n".join(json.dumps(x) for x in (_order(), _order(goods_out_type="sale"), RECORD)) + "\n",
        1,
    ),
    "unreadable": ("broken.json", '{"data": {"type": "goods_outs",\n  "attributes": {,}}}', 2),
}


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
@pytest.mark.parametrize("case", list(CASES))
def test_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    snapshot: SnapshotAssertion,
    case: str,
    fmt: str,
) -> None:
    name, content, expected_code = CASES[case]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code = main(["check", "--format", fmt, str(path)])
    out = capsys.readouterr().out
    assert code == expected_code
    # The only value that changes from run to run is where the input lies.
    assert out.replace(str(tmp_path), "<TMP>") == snapshot

"""Every status, task type code and vendor error the domain uses is in its schema, and written there
only: the domain's modules hold no literal code of their own."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import mock_server.domain
from contracts.registry import schema_documents, statuses, vendor_errors
from contracts.rules import RULES
from mock_server.domain import facts

MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(mock_server.domain.__path__, "mock_server.domain.")
    if not info.ispkg
)
for _name in MODULES:
    importlib.import_module(_name)  # their constants are looked up at import

# Every status field the domain reads, with the values its schema gives.
FIELDS = [
    ("goods_outs", "goods_out_status_id"),
    ("goods_in_receipts", "status"),
    ("tasks", "status"),
    ("tasks", "task_type_code"),
    ("shipments", "status"),
    ("stocks", "status"),
    ("pick_processing_requests", "status"),
]
CODES = {code for resource, field in FIELDS for code in statuses(resource, field)}


def test_every_status_the_domain_uses_is_in_its_schema() -> None:
    assert {(r, f) for r, f, _ in facts.USED} == set(FIELDS)
    for resource, field, code in facts.USED:
        assert code in statuses(resource, field), (resource, field, code)


def test_statuses_are_the_schemas_own_values() -> None:
    node = schema_documents()["goods_outs.json"]["$defs"]["attributes"]["properties"][
        "goods_out_status_id"
    ]
    assert statuses("goods_outs", "goods_out_status_id") == {
        s["code"]: s["id"] for s in node["x-clarus-statuses"]
    }
    assert set(statuses("goods_outs", "goods_out_status_id").values()) == set(node["enum"])
    record = schema_documents()["tasks.json"]["$defs"]["record"]["properties"]["status"]
    assert list(statuses("tasks", "status")) == record["enum"]


def test_every_vendor_error_the_domain_raises_is_in_the_schemas() -> None:
    table = vendor_errors()
    assert {spec.code for spec in table.values()} >= {36, 37, 39, 59, 318}
    assert {spec.symbol for spec in table.values()} >= facts.USED_VENDOR_ERRORS
    for spec in table.values():
        rule = RULES[spec.symbol]  # the rule page is made from the same entry
        assert rule.title == f"Vendor error {spec.code}: {spec.title}"
        assert (rule.cause, rule.fix) == (spec.cause, spec.fix)


def test_the_contracts_36_comes_from_the_table() -> None:
    from contracts import validate

    [violation] = validate("goods_out_processes.process_picks_async", {"ids": []})
    assert (violation.code, violation.symbol) == (36, "empty_ids_provided")


def _code_places(tree: ast.AST) -> list[tuple[int, object]]:
    """Constants where a code would sit: compared, assigned, returned, a dict key or value, a
    keyword value, an item of a tuple, list or set, or an argument of VendorError. Messages (call
    arguments and f-strings: "only submitted shipments can be cancelled") are words, not codes."""
    places: list[ast.AST] = []
    lookups = {"status_ids", "status_codes", "vendor_errors", "statuses"}

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None)
            if name in lookups:
                return  # where the schema's codes are named to be looked up
            if name == "VendorError":
                places.extend(node.args)
        if isinstance(node, ast.Compare):
            places.extend([node.left, *node.comparators])
        elif isinstance(node, ast.Dict):
            places.extend(v for v in [*node.keys, *node.values] if v is not None)
        elif isinstance(node, ast.keyword):
            places.append(node.value)
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            places.extend(node.elts)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.Return) and node.value:
            places.append(node.value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(p.lineno, p.value) for p in places if isinstance(p, ast.Constant)]


@pytest.mark.parametrize("name", MODULES)
def test_no_domain_module_writes_a_code_of_its_own(name: str) -> None:
    path = Path(importlib.import_module(name).__file__ or "")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    vendor_codes = set(vendor_errors())
    stray = [
        (line, value)
        for line, value in _code_places(tree)
        if (isinstance(value, str) and value in CODES)
        or (type(value) is int and value in vendor_codes)
    ]
    assert stray == [], f"{path.name}: codes written as literals, not read from the schemas"

"""No read or write crosses tenants: every path id and every body reference of the other tenant.

A copy of the sandbox tenant gets a record of every resource under an id the test's tenant (a copy
of demo) does not have. Then the test's token tries each operation on those ids, through the path
and through the body (the documented example of the operation, its ids swapped for the sandbox's).
Every attempt must be refused, and neither tenant's records may change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from contracts import Operation, is_valid, operations
from mock_server.domain.references import target
from mock_server.store import Record, Store
from tests.api import SERVER_TESTS, Api

pytestmark = SERVER_TESTS

ELSEWHERE = 900_001  # an id only the sandbox tenant has, for every resource
EXAMPLES = Path(__file__).parents[1] / "contracts" / "vendor_examples"
_PATH_PARAM = re.compile(r"\{([a-z_]+)\}")


# Bodies for operations whose vendor page shows none (the vendor examples are the other source).
_UNDOCUMENTED = {
    "product_storage_units.priority": {
        "data": {"type": "product_storage_units", "attributes": {"priority": 1}}
    },
    "account_warehouses.create": {
        "data": {"type": "account_warehouses", "attributes": {"account_id": 1, "warehouse_id": 1}}
    },
    "carrier_services.create": {
        "data": {
            "type": "carrier_services",
            "attributes": {
                "code": "X1",
                "name": "X",
                "carrier_id": 1,
                "is_default": False,
                "active": True,
            },
        }
    },
    "stocks.release": {"ids": [1], "description": "released"},
}


def _example(op: Operation) -> Any:
    """A documented request body the contract accepts (or one of ``_UNDOCUMENTED``), or None.

    Some vendor examples contradict the vendor's own rules (tests/contracts names them); those would
    be refused for their body before the ids are looked at, so they are passed over.
    """
    for path in sorted(EXAMPLES.glob(f"{op.name}*.json")):
        document = json.loads(path.read_text())
        if document["operation"] == op.name and is_valid(op, document["payload"]):
            return document["payload"]
    empty_update = {"data": {"type": op.data_type, "attributes": {}}}
    if op.action == "update" and is_valid(op, empty_update):
        return empty_update  # the path's id is what is tried; the body only has to pass
    return _UNDOCUMENTED.get(op.name)


def _path_resource(op: Operation, param: str) -> str:
    if param == "id":
        return op.data_type or op.resource
    return param.removesuffix("_id") + "s"


def _api_ops() -> list[Operation]:
    return [op for op in operations().values() if op.prefix == "/api"]


def _referenced_resources() -> set[str]:
    """Every resource a path parameter or a body field can name."""
    found = set()
    for op in _api_ops():
        found |= {_path_resource(op, p) for p in _PATH_PARAM.findall(op.path)}
        found |= {r for _, r in _references(_example(op)) if r}
    return found


def _references(node: Any, key: str = "", pointer: str = "") -> list[tuple[str, str | None]]:
    """(pointer, resource) of every id a body names; ``ids`` entries have no resource of their own."""
    if isinstance(node, dict):
        return [r for k, v in node.items() for r in _references(v, k, f"{pointer}/{k}")]
    if isinstance(node, list):
        return [r for i, v in enumerate(node) for r in _references(v, key, f"{pointer}/{i}")]
    if isinstance(node, int) and not isinstance(node, bool) and (key == "ids" or target(key)):
        return [(pointer, target(key))]
    return []


def _swap_ids(node: Any, key: str = "") -> Any:
    """The body with every id it names replaced by ``ELSEWHERE``."""
    if isinstance(node, dict):
        return {k: _swap_ids(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap_ids(item, key) for item in node]
    return ELSEWHERE if _references(node, key) else node


def _plant(store: Store, sandbox: str) -> None:
    """A record of the sandbox (a copy of the pack's) of every referenced resource under
    ``ELSEWHERE``, cloned from a real one."""
    with store.transaction():
        for resource in sorted(_referenced_resources()):
            first = store.first_id(sandbox, resource)
            model = store.get(sandbox, resource, first) if first else None
            attributes = dict(model.attributes) if model else {}
            store.insert(sandbox, Record(resource, ELSEWHERE, attributes, {}))


def _everything(store: Store, *tenants: str) -> list[tuple[Any, ...]]:
    return [
        (tenant, r.resource, r.id, r.parent_id, r.attributes, r.relationships)
        for tenant in tenants
        for r in store.records(tenant)
    ]


def _field_names(schema: Any) -> set[str]:
    """Every property name anywhere in a (flattened) schema."""
    if isinstance(schema, list):
        return set().union(*map(_field_names, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    own = set(schema.get("properties", {}))
    return own.union(*map(_field_names, schema.values()))


def _with_every_id(op: Operation, example: Any) -> Any:
    """The example plus every top-level id attribute its schema has and the example leaves out."""
    attributes = example.get("data", {}).get("attributes")
    if op.envelope != "jsonapi" or not isinstance(attributes, dict):
        return example
    schema = op.request_schema["properties"]["data"]["properties"]["attributes"]  # type: ignore[index]
    missing = {
        f: ELSEWHERE for f in schema.get("properties", {}) if target(f) and f not in attributes
    }
    return {**example, "data": {**example["data"], "attributes": {**attributes, **missing}}}


class Attempt:
    """One operation aimed at the sandbox's ids, by path or by body."""

    def __init__(self, op: Operation, path: str, body: Any, by: str) -> None:
        self.op, self.path, self.body, self.by = op, path, body, by
        self.pointers = {p for p, _ in _references(body)} if by == "body" else set()

    def __repr__(self) -> str:
        return f"{self.op.name} by {self.by}"


def _attempts() -> list[Attempt]:
    attempts = []
    for op in _api_ops():
        example = _example(op)
        if "{" in op.path:
            path = "/api" + _PATH_PARAM.sub(str(ELSEWHERE), op.path)
            attempts.append(Attempt(op, path, example if op.has_body else None, "path"))
        elif example is not None and _references(body := _with_every_id(op, example)):
            attempts.append(Attempt(op, "/api" + op.path, _swap_ids(body), "body"))
    products = operations()["products.delete_many"]
    attempts.append(Attempt(products, f"/api/products?ids={ELSEWHERE}", None, "query"))
    return attempts


ATTEMPTS = _attempts()


def test_every_operation_that_names_an_id_is_tried() -> None:
    tried = {a.op.name for a in ATTEMPTS}
    untried = {op.name for op in _api_ops()} - tried
    # What is left can name no record: no path id, and no field of its schema is an id.
    for name in untried:
        op = operations()[name]
        assert "{" not in op.path, name
        assert not [f for f in _field_names(op.request_schema) if f == "ids" or target(f)], name
    assert not any(a.op.has_body and a.body is None for a in ATTEMPTS)


def test_no_read_or_write_reaches_the_other_tenant(api: Api) -> None:
    store = api.store
    sandbox = api.another("sandbox")
    _plant(store, sandbox)
    before = _everything(store, api.tenant, sandbox)
    leaks = []
    for attempt in ATTEMPTS:
        r = api.call(attempt.op.method, attempt.path, attempt.body)
        expected = 422 if attempt.by == "body" else 404
        errors = r.json().get("errors") if r.content else None
        first = (errors or [{}])[0].get("source", {}).get("pointer")
        if r.status_code != expected:
            leaks.append(f"{attempt}: {attempt.path} -> {r.status_code} {r.text[:300]}")
        elif attempt.by == "body" and first not in attempt.pointers:
            leaks.append(f"{attempt}: refused at {first}, not at an id: {r.text[:300]}")
    assert not leaks, "\n".join(leaks)
    assert _everything(store, api.tenant, sandbox) == before


@pytest.mark.parametrize("resource", sorted(_referenced_resources()))
def test_the_control_api_reads_one_tenant_only(api: Api, resource: str) -> None:
    sandbox = api.another("sandbox")
    _plant(api.store, sandbox)
    r = api.http.get(f"/__mock/records/{resource}/{ELSEWHERE}", params={"tenant": api.tenant})
    assert r.status_code == 404
    assert str(api.record(resource, ELSEWHERE, sandbox)["id"]) == str(ELSEWHERE)

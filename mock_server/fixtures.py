"""Fixture packs: tenants, OAuth clients and seed records, as YAML a user can copy and edit.

Every record is checked through the same contract as an API create (``<type>.create``) and normalised
the same way (an id written as ``"9"`` is 9); a bad record is reported with its file, record and JSON
pointer, and the server does not start. Beyond the create contract a pack may say:

- ``id`` on a record (its id; else its position) and on an ``ADD`` item of a ``*_changes`` list (the
  child record's id, e.g. a goods-out line);
- ``state`` on a record: attributes the warehouse sets, not the create contract (a receipt's
  ``status: received``);
- ``stock`` and ``tasks``: records the API never creates directly, written as they are stored;
- a goods out with ``goods_out_status_id`` 5 (ALLOCATED) or 3 (PICK) is allocated against the pack's
  stock when the tenant is seeded, as the warehouse would have done.
- raw sections (``stock``, ``tasks``, and every resource the read API has but no create operation
  makes: ``transactions``, ``groups``, ``goods_out_pick_lists``...) hold records as they are stored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from contracts import get_operation, operations, validate
from contracts.graphql_spec import spec
from contracts.normalize import normalize
from mock_server.auth import Client
from mock_server.domain import goods_in, goods_outs, processes
from mock_server.domain.env import Env, StoreClock
from mock_server.store import Cond, Record, Store

# libyaml's loader parses the demo pack ten times faster than the pure-Python one (server start-up).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The built-in packs: fixtures/ at the repository root, installed as the package mock_server.packs
# (pyproject.toml), so an installed wheel has them as well as a checkout.
PACKS: Traversable = resources.files("mock_server.packs")


class FixtureError(ValueError):
    """A fixture file that cannot be loaded; the message names the file, record and pointer."""


@dataclass
class Pack:
    """A loaded fixture pack."""

    name: str
    path: Traversable  # its pack.yaml: a Path, or a resource inside the installed package
    token_lifetime: int = 7200
    floor: dict[str, Any] = field(default_factory=dict)
    clients: list[Client] = field(default_factory=list)
    tenants: dict[str, list[Record]] = field(default_factory=dict)


def pack_path(name_or_path: str) -> Traversable:
    """A pack by the path of its pack.yaml or folder, or else by the name of a built-in pack."""
    return _locate(name_or_path)[0]


def _locate(name_or_path: str) -> tuple[Traversable, Traversable]:
    """The pack's pack.yaml and the folder its tenant files are read from."""
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "pack.yaml"
    if path.is_file():
        return path, path.parent
    # Built-in packs are package resources: a Traversable has no .parent, so keep the folder.
    folder = PACKS / name_or_path
    if (folder / "pack.yaml").is_file():
        return folder / "pack.yaml", folder
    raise FixtureError(
        f"no fixture pack {name_or_path!r} (built-in packs: {', '.join(built_in_packs())})"
    )


def built_in_packs() -> list[str]:
    """The names of the packs that ship with clarus-mock."""
    return sorted(p.name for p in PACKS.iterdir() if p.is_dir() and (p / "pack.yaml").is_file())


def _yaml(path: Traversable) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise FixtureError(f"{path}: {exc}") from exc


def load_pack(name_or_path: str) -> Pack:
    """Read and check a pack; raise :class:`FixtureError` on the first bad record."""
    path, folder = _locate(name_or_path)
    doc = _yaml(path) or {}
    pack = Pack(
        doc.get("name", folder.name),
        path,
        int(doc.get("token_lifetime", 7200)),
        dict(doc.get("floor") or {}),
    )
    for tenant_file in doc.get("tenants", []):
        _load_tenant(pack, folder / tenant_file)
    return pack


def _load_tenant(pack: Pack, path: Traversable) -> None:
    doc = _yaml(path) or {}
    tenant = doc.get("subdomain")
    if not isinstance(tenant, str) or not tenant:
        raise FixtureError(f"{path}: `subdomain` is required")
    for client in doc.get("clients", []):
        pack.clients.append(
            Client(
                client["client_id"],
                client["client_secret"],
                tenant,
                tuple(client.get("redirect_uris", [])),
            )
        )
    rows: list[Record] = []
    numbers = _ChildIds(doc.get("records") or {})
    for kind, items in (doc.get("records") or {}).items():
        for index, item in enumerate(items or []):
            rows += _record(path, kind, index, item, numbers)
    _storage_unit_priorities(rows)
    for section, items in doc.items():
        if section in ("subdomain", "clients", "records"):
            continue
        resource = "stocks" if section == "stock" else section
        if resource not in _stored_only():
            raise FixtureError(
                f"{path}: {section}: not a section of a tenant file (records go under `records`; "
                f"raw sections: stock, {', '.join(sorted(_stored_only() - {'stocks'}))})"
            )
        for index, item in enumerate(items or []):
            attributes = {k: v for k, v in item.items() if k not in ("id", "parent_id")}
            parent = item.get("parent_id")
            rows.append(Record(resource, int(item.get("id", index + 1)), attributes, {}, parent))
    pack.tenants[tenant] = rows


@cache
def _stored_only() -> frozenset[str]:
    """Resources a pack writes as they are stored: the API never creates them directly."""
    creatable = {name.removesuffix(".create") for name in operations() if name.endswith(".create")}
    read = {root.resource for root in spec().roots.values() if root.resource}
    return frozenset({"stocks", "tasks"} | (read - creatable))


class _ChildIds:
    """Ids for child records (lines...): the one a pack gives, else the next one nobody took."""

    def __init__(self, records: dict[str, Any]) -> None:
        self.taken: dict[str, set[int]] = {}
        self.last: dict[str, int] = {}
        for kind, items in records.items():
            if f"{kind}.create" in operations():
                props = _attribute_props(kind)
                for item in items or []:
                    self._collect(props, (item or {}).get("attributes") or {})

    def _collect(self, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        for name, items in attributes.items():
            resource = props.get(name, {}).get("x-clarus-children")
            if resource is None or not isinstance(items, list):
                continue
            nested = _item_props(props[name])
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), int):
                    self.taken.setdefault(resource, set()).add(item["id"])
                if isinstance(item, dict) and isinstance(item.get("attributes"), dict):
                    self._collect(nested, item["attributes"])

    def next(self, resource: str, given: Any) -> int:
        if isinstance(given, int):
            return given
        number = self.last.get(resource, 0) + 1
        while number in self.taken.get(resource, set()):
            number += 1
        self.last[resource] = number
        return number


def _attribute_props(kind: str) -> dict[str, Any]:
    """The create contract's attribute schemas of a resource, by field."""
    schema = get_operation(f"{kind}.create").file_request_schema or {}
    return dict(schema["properties"]["data"]["properties"]["attributes"].get("properties", {}))


def _item_props(changes: dict[str, Any]) -> dict[str, Any]:
    """The attribute schemas of the items of a ``*_changes`` list."""
    item = changes.get("items", {}).get("properties", {})
    return dict(item.get("attributes", {}).get("properties", {}))


def _storage_unit_priorities(rows: list[Record]) -> None:
    """A product's storage units get priorities 0, 1, ... in file order, as the API gives them."""
    seen: dict[int, int] = {}
    for record in rows:
        if record.resource == "product_storage_units":
            product = record.attributes["product_id"]
            record.attributes["priority"] = seen.get(product, 0)
            seen[product] = record.attributes["priority"] + 1
            per_layer = record.attributes.get("per_layer", 1)
            record.attributes["total"] = per_layer * record.attributes.get("number_of_layers", 1)


def _record(
    path: Traversable, kind: str, index: int, item: dict[str, Any], numbers: _ChildIds
) -> list[Record]:
    """The record and its children (lines...), checked and normalised like an API create."""
    name = f"{kind}.create"
    if name not in operations():
        raise FixtureError(f"{path}: records.{kind}: no such resource (no {name} operation)")
    attributes = copy.deepcopy(item.get("attributes", {}))
    child_ids = _pop_child_ids(attributes)
    data: dict[str, Any] = {"type": kind, "attributes": attributes}
    if "relationships" in item:
        data["relationships"] = copy.deepcopy(item["relationships"])
    payload = {"data": data}
    violations = validate(name, payload)
    errors = [v for v in violations if v.severity == "error"]
    if errors:
        v = errors[0]
        raise FixtureError(
            f"{path}: records.{kind}[{index}] (id {item.get('id')}): "
            f"{v.pointer}: {v.message}" + (f" ({v.hint})" if v.hint else "")
        )
    normalize(name, payload, violations)
    record_id = int(item.get("id", index + 1))
    props = _attribute_props(kind)
    # `state`: what the warehouse did to the record, which no create field can say (a receipt's
    # status once it was received).
    header = {**_plain(attributes), **(item.get("state") or {})}
    rows = [Record(kind, record_id, header, data.get("relationships", {}))]
    rows += _children(props, attributes, record_id, child_ids, numbers)
    return rows


def _plain(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if not k.endswith("_changes")}


_ChildIdTree = dict[str, list[tuple[Any, "_ChildIdTree"]]]


def _pop_child_ids(attributes: dict[str, Any]) -> _ChildIdTree:
    """The ``id`` a pack gives each ADD item (not in the create contract): by field, in order.

    Each entry also holds the ids of the item's own ``*_changes`` (an action's parameters).
    """
    found: _ChildIdTree = {}
    for name, items in attributes.items():
        if not name.endswith("_changes") or not isinstance(items, list):
            continue
        found[name] = []
        for item in items:
            given = item.pop("id", None) if isinstance(item, dict) else None
            values = item.get("attributes") if isinstance(item, dict) else None
            found[name].append((given, _pop_child_ids(values) if isinstance(values, dict) else {}))
    return found


def _children(
    props: dict[str, Any],
    attributes: dict[str, Any],
    parent_id: int,
    child_ids: _ChildIdTree,
    numbers: _ChildIds,
) -> list[Record]:
    """Child records of ``*_changes`` ADD items, into the resource the schema names for them."""
    rows: list[Record] = []
    for name, items in attributes.items():
        resource = props.get(name, {}).get("x-clarus-children")
        if resource is None or not isinstance(items, list):
            continue
        nested_props = _item_props(props[name])
        for item, (given, nested_ids) in zip(items, child_ids.get(name, []), strict=True):
            child_id = numbers.next(resource, given)
            values = item.get("attributes", {})
            rows.append(Record(resource, child_id, _plain(values), {}, parent_id))
            rows += _children(nested_props, values, child_id, nested_ids, numbers)
    return rows


def seed(store: Store, pack: Pack, tenant: str | None = None) -> None:
    """Write the pack's records into the store (every tenant, or one), then settle them.

    Raises :class:`FixtureError` when an ALLOCATED goods out cannot be allocated from the pack's stock.
    """
    for name, rows in pack.tenants.items():
        if tenant is None or tenant == name:
            for record in rows:
                store.insert(
                    name,
                    Record(
                        record.resource,
                        record.id,
                        copy.deepcopy(record.attributes),
                        copy.deepcopy(record.relationships),
                        record.parent_id,
                    ),
                )
            _settle(store, name)


def _settle(store: Store, tenant: str) -> None:
    """What the API would have done on create: line progress, receipt line units, allocation."""
    env = Env(store, tenant, StoreClock(store, tenant))
    for line in store.find(tenant, goods_outs.LINES):
        for key, value in goods_outs.LINE_PROGRESS.items():
            line.attributes.setdefault(key, value)
        store.save(tenant, line)
    for line in store.find(tenant, goods_in.LINES):
        goods_in.settle_line(env, line)
    for resource in (goods_in.RECEIPTS, "shipments"):
        for record in store.find(tenant, resource):
            if "status" not in record.attributes:  # what the create handlers start them with
                record.attributes["status"] = "pending"
                store.save(tenant, record)
    for order in store.query(tenant, "goods_outs"):
        if "goods_out_status_id" not in order.attributes:  # as the create handler starts it
            order.attributes["goods_out_status_id"] = goods_outs.PENDING
            store.save(tenant, order)
    allocated = (goods_outs.ALLOCATED, goods_outs.PICK)
    for order in store.query(tenant, "goods_outs", [Cond("goods_out_status_id", "in", allocated)]):
        short = processes.allocate_order(env, order)
        if short:
            first = short[0]
            raise FixtureError(
                f"tenant {tenant}: goods out {order.id} is ALLOCATED but line {first.line.id} needs "
                f"{first.needed:g} of product {first.line.attributes['product_id']} and the pack's "
                f"stock has {first.got:g} free for account {order.attributes['account_id']}"
            )

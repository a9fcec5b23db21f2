"""Fixture packs: tenants, OAuth clients and seed records, as YAML a user can copy and edit.

Every record is checked through the same contract as an API create (``<type>.create``); a bad record
is reported with its file, record and JSON pointer, and the server does not start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from contracts import operations, validate
from mock_server.auth import Client
from mock_server.store import Record, Store

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
    for kind, items in (doc.get("records") or {}).items():
        rows += [_record(path, kind, index, item) for index, item in enumerate(items or [])]
    _storage_unit_priorities(rows)
    for index, item in enumerate(doc.get("stock") or []):
        attributes = {k: v for k, v in item.items() if k != "id"}
        rows.append(Record("stocks", int(item.get("id", index + 1)), attributes, {}))
    pack.tenants[tenant] = rows


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


def _record(path: Traversable, kind: str, index: int, item: dict[str, Any]) -> Record:
    name = f"{kind}.create"
    if name not in operations():
        raise FixtureError(f"{path}: records.{kind}: no such resource (no {name} operation)")
    data = {"type": kind, "attributes": item.get("attributes", {})}
    if "relationships" in item:
        data["relationships"] = item["relationships"]
    errors = [v for v in validate(name, {"data": data}) if v.severity == "error"]
    if errors:
        v = errors[0]
        raise FixtureError(
            f"{path}: records.{kind}[{index}] (id {item.get('id')}): "
            f"{v.pointer}: {v.message}" + (f" ({v.hint})" if v.hint else "")
        )
    attributes = {k: v for k, v in data["attributes"].items() if not k.endswith("_changes")}
    return Record(kind, int(item.get("id", index + 1)), attributes, data.get("relationships", {}))


def seed(store: Store, pack: Pack, tenant: str | None = None) -> None:
    """Write the pack's records into the store (every tenant, or one)."""
    for name, rows in pack.tenants.items():
        if tenant is None or tenant == name:
            for record in rows:
                store.insert(
                    name,
                    Record(
                        record.resource,
                        record.id,
                        dict(record.attributes),
                        dict(record.relationships),
                    ),
                )

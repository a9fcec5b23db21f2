"""The operation table, read from the ``x-clarus-operations`` of every schema file.

An :class:`Operation` is one vendor endpoint: its name (``goods_outs.create``), method and path, and the
flat request and response schemas built from the resource file. Everything else in the kit (validator,
strategies, OpenAPI, reference docs, CLI) reads operations from here, so a field or a route is written
once, in ``contracts/schemas``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any, Literal

from referencing import Registry
from referencing.jsonschema import DRAFT202012

from contracts.flatten import flatten_object
from contracts.violations import ContractError

SCHEMA_BASE = "https://clarus-mock.dev/schemas/"
Envelope = Literal["jsonapi", "flat", "form"]


@dataclass(frozen=True)
class Operation:
    """One endpoint of the vendor surface and its contract."""

    name: str
    resource: str
    action: str
    method: str
    path: str
    summary: str
    source: str
    envelope: Envelope | None
    data_type: str | None
    response_status: int
    id_type: Literal["integer", "string"]
    provenance: str = "documented"
    note: str | None = None
    prefix: str = "/api"
    media_types: tuple[str, ...] = ("application/json",)
    # Query parameters by name: {"required", "description", "schema"} (DELETE /products?ids=1,2).
    query: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Where the schemas come from; flattened on first use, because flattening all 69 operations
    # took a quarter of the server's start-up and a server uses few of them.
    file_name: str = field(default="", repr=False, compare=False)
    resource_type: str = field(default="", repr=False, compare=False)  # x-clarus-resource type
    request_spec: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    response_spec: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_body(self) -> bool:
        """Whether the operation takes a request body."""
        return self.request_spec is not None

    @cached_property
    def file_request_schema(self) -> dict[str, Any] | None:
        """The request body's schema as the schema files write it, flattened (None: no body).

        It is the clean form: see :mod:`contracts.forms` for the published and strict forms.
        """
        return _request_schema(self.file_name, self.resource_type, self.request_spec, self.action)

    @cached_property
    def request_schema(self) -> dict[str, Any] | None:
        """The flat JSON Schema of every request body the server accepts (None: no body).

        This is the published form (OpenAPI): warnings such as an id sent as ``"9"`` pass it.
        """
        from contracts.forms import publish

        schema = self.file_request_schema
        return None if schema is None else publish(schema)

    @cached_property
    def response_schema(self) -> dict[str, Any] | None:
        """The flat JSON Schema of the success response body (None: no body)."""
        return _response_schema(
            self.file_name, self.resource_type, self.id_type, self.response_spec
        )


@dataclass(frozen=True)
class UniqueKey:
    """Fields whose values no two records of a resource share in one tenant (the vendor's words)."""

    resource: str
    fields: tuple[str, ...]
    source: str  # the vendor page that says so
    says: str


@cache
def unique_keys() -> dict[str, tuple[UniqueKey, ...]]:
    """The unique keys of every resource, by ``data.type``, from ``x-clarus-resource.unique``."""
    table: dict[str, tuple[UniqueKey, ...]] = {}
    for doc in schema_documents().values():
        resource = doc.get("x-clarus-resource", {})
        keys = tuple(
            UniqueKey(resource["type"], tuple(key["fields"]), key["source"], key["says"])
            for key in resource.get("unique", [])
        )
        if keys:
            table[resource["type"]] = keys
    return table


@cache
def references() -> dict[str, str]:
    """Which resource each id field names, from the schemas' ``x-clarus-references``.

    ``{"product_id": "products", "location_to_id": "locations", ...}``. A field name means the same
    resource in every schema; a file that says otherwise is refused here.
    """
    found: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                target = sub.get("x-clarus-references") if isinstance(sub, dict) else None
                if target is not None and found.setdefault(name, target) != target:
                    raise RuntimeError(
                        f"{where}: {name} references {target}, elsewhere {found[name]}"
                    )
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for file_name, doc in schema_documents().items():
        walk(doc, file_name)
    return found


@dataclass(frozen=True)
class VendorErrorSpec:
    """One of the vendor's numeric business errors, from a schema's ``x-clarus-vendor-errors``.

    ``title``, ``cause`` and ``fix`` are the text of its rule page (the rule id is ``symbol``);
    ``source`` is the vendor page that lists the code.
    """

    code: int
    symbol: str
    title: str
    cause: str
    fix: str
    source: str


@cache
def vendor_errors() -> dict[int, VendorErrorSpec]:
    """Every vendor error by code, from the ``x-clarus-vendor-errors`` table of the schema files."""
    table: dict[int, VendorErrorSpec] = {}
    for file_name, doc in schema_documents().items():
        for entry in doc.get("x-clarus-vendor-errors", []):
            spec = VendorErrorSpec(**entry)
            if table.setdefault(spec.code, spec) != spec:
                raise RuntimeError(f"{file_name}: vendor error {spec.code} is defined twice")
    return table


def vendor_error(symbol: str) -> VendorErrorSpec:
    """The vendor error with this symbol (``empty_ids_provided`` -> 36); KeyError when unknown."""
    for spec in vendor_errors().values():
        if spec.symbol == symbol:
            return spec
    raise KeyError(f"no vendor error {symbol!r} in the schemas' x-clarus-vendor-errors")


def _properties_named(node: Any, field: str) -> Iterator[dict[str, Any]]:
    """Every property schema called ``field`` anywhere in ``node``."""
    if isinstance(node, dict):
        found = (node.get("properties") or {}).get(field)
        if isinstance(found, dict):
            yield found
        for value in node.values():
            yield from _properties_named(value, field)
    elif isinstance(node, list):
        for value in node:
            yield from _properties_named(value, field)


def status_field(resource: str, field: str) -> dict[str, Any]:
    """The schema of a resource's status field: where its statuses and transitions are written.

    The node with ``x-clarus-statuses`` or ``x-clarus-transitions`` (``goods_out_status_id``,
    ``task_type_code``, a task's ``status``), else the
    field of the resource's stored ``record`` (``status`` of receipts, tasks, shipments, stocks),
    else the field of the GraphQL root that reads the resource (``pick_processing_requests``).
    Raises KeyError when no schema has it.
    """
    docs = [
        doc
        for doc in schema_documents().values()
        if doc.get("x-clarus-resource", {}).get("type") == resource
    ]
    for doc in docs:
        for node in _properties_named(doc, field):
            if "x-clarus-statuses" in node or "x-clarus-transitions" in node:
                return node
    for doc in docs:
        record = doc.get("$defs", {}).get("record", {}).get("properties", {})
        if field in record:
            return dict(record[field])
    roots = schema_documents()["graphql.json"]["x-clarus-graphql"]["roots"]
    for root in roots.values():
        if root.get("resource") == resource and field in root.get("fields", {}):
            return dict(root["fields"][field])
    raise KeyError(f"no schema gives {resource}.{field} statuses")


@cache
def statuses(resource: str, field: str) -> dict[str, Any]:
    """A status field's values by code: ``{code: id}`` where ``x-clarus-statuses`` gives ids
    (``goods_outs``' ``goods_out_status_id``: ``{"PENDING": 2, ...}``, ``tasks``'
    ``task_type_code``), else ``{word: word}`` from the field's enum (a receipt's ``status``).
    """
    node = status_field(resource, field)
    if "x-clarus-statuses" in node:
        return {status["code"]: status["id"] for status in node["x-clarus-statuses"]}
    return {value: value for value in node["enum"] if value is not None}


@dataclass(frozen=True)
class Transitions:
    """The status changes a resource's records may make: ``moves[from]`` -> the allowed ``to``s.

    Values are as the record stores them (``goods_out_status_id`` 2, a receipt's ``"pending"``);
    ``None`` as ``from`` is creation.
    """

    resource: str
    field: str
    moves: dict[Any, frozenset[Any]]

    def allows(self, before: Any, after: Any) -> bool:
        """Whether a record may go from ``before`` (None: created) to ``after``."""
        return after in self.moves.get(before, frozenset())


def _transition_fields() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(resource, field, schema)`` of every status field that carries ``x-clarus-transitions``."""
    for doc in schema_documents().values():
        resource = doc.get("x-clarus-resource", {}).get("type")
        if resource is None:
            continue
        for node in _nodes(doc):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "x-clarus-transitions" in sub:
                    yield resource, name, sub
    roots = schema_documents()["graphql.json"]["x-clarus-graphql"]["roots"]
    for root in roots.values():
        for name, sub in root.get("fields", {}).items():
            if "x-clarus-transitions" in sub:
                yield root["resource"], name, sub


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


@cache
def transitions() -> dict[str, Transitions]:
    """Every resource's allowed status changes, from ``x-clarus-transitions`` beside its statuses.

    Each entry is ``{"from": code | null, "to": [codes], "by", "source"}``; codes are read through
    :func:`statuses`, so a code the field does not have is refused here.
    """
    table: dict[str, Transitions] = {}
    for resource, name, node in _transition_fields():
        values = statuses(resource, name)
        moves: dict[Any, set[Any]] = {}
        for entry in node["x-clarus-transitions"]:
            known = [code for code in [entry["from"], *entry["to"]] if code is not None]
            unknown = [code for code in known if code not in values]
            if unknown:
                raise RuntimeError(f"{resource}.{name} transitions name unknown {unknown}")
            before = None if entry["from"] is None else values[entry["from"]]
            moves.setdefault(before, set()).update(values[code] for code in entry["to"])
        if resource in table:
            raise RuntimeError(f"{resource} has transitions on two fields")
        table[resource] = Transitions(resource, name, {k: frozenset(v) for k, v in moves.items()})
    return table


@dataclass(frozen=True)
class EventTrigger:
    """One change that fires an automation event (``x-clarus-event-sources`` in automations.json):
    ``on`` a create, update, delete or movement of the stored ``resource``, or a status change
    ``to`` a status (its code as the schema writes it), ``received`` all or part for receipts."""

    resource_name: str  # the automation's resource_name: goods_out, stock...
    event: str
    resource: str  # the stored resource: goods_outs, stocks...
    status_field: str
    on: str | None
    to: Any
    received: str | None


@cache
def event_triggers() -> tuple[EventTrigger, ...]:
    """Every change that fires an automation event, in the table's order (an event listing
    several changes gives one trigger each)."""
    table = schema_documents()["automations.json"]["x-clarus-event-sources"]
    found = []
    for resource_name, spec in table.items():
        if not isinstance(spec, dict) or "resource" not in spec:
            continue  # the table's description and provenance
        for event, triggers in spec["events"].items():
            for when in triggers if isinstance(triggers, list) else [triggers]:
                found.append(
                    EventTrigger(
                        resource_name,
                        event,
                        spec["resource"],
                        spec["status"],
                        when.get("on"),
                        when.get("to"),
                        when.get("received"),
                    )
                )
    return tuple(found)


def status_names(resource: str) -> dict[Any, str]:
    """Stored status value -> its code, where a resource stores ids (``goods_outs``: ``{2:
    "PENDING", ...}``); empty where statuses are stored as their words."""
    table = transitions().get(resource)
    if table is None:
        return {}
    return {value: code for code, value in statuses(resource, table.field).items() if value != code}


class UnknownOperationError(ContractError):
    """An operation name that no schema file defines.

    Cause: a typo, or an endpoint outside the first version. Fix: use a name from ``clarus-mock check
    --list`` (``<resource>.<action>``, e.g. ``goods_outs.create``).
    """


def _schema_files() -> dict[str, dict[str, Any]]:
    folder = resources.files("contracts") / "schemas"
    docs = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            docs[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return docs


@cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """The raw schema files, by file name."""
    return _schema_files()


@cache
def _registry() -> Registry[Any]:
    pairs = [(doc["$id"], DRAFT202012.create_resource(doc)) for doc in schema_documents().values()]
    return Registry().with_resources(pairs)


def resolve(file_name: str, pointer: str) -> dict[str, Any]:
    """Flatten the schema at ``pointer`` (``#/$defs/x``) of one schema file."""
    resolver = _registry().resolver(base_uri=SCHEMA_BASE + file_name)
    return flatten_object({"$ref": pointer}, resolver)


def _id_schema(id_type: str) -> dict[str, Any]:
    if id_type == "string":
        return {"type": "string", "pattern": "^[1-9][0-9]*$"}
    return {"type": "integer", "minimum": 1}


def _jsonapi_request(
    file_name: str, data_type: str, spec: dict[str, Any], is_update: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "object",
        "required": ["type", "attributes"],
        "properties": {
            "type": {"const": data_type},
            "attributes": resolve(file_name, spec["attributes"]),
        },
        "additionalProperties": False,
    }
    if "relationships" in spec:
        data["properties"]["relationships"] = resolve(file_name, spec["relationships"])
    if is_update:
        # JSON:API clients often repeat the id in PATCH bodies; the vendor examples omit it.
        data["properties"]["id"] = {"type": ["integer", "string"], "x-clarus-source": "inferred"}
    if "data_rules" in spec:
        rules = resolve(file_name, spec["data_rules"])
        data.update({k: v for k, v in rules.items() if k in ("if", "then", "else", "allOf")})
    return {
        "type": "object",
        "required": ["data"],
        # JSON:API clients add top-level `jsonapi` and `meta`; they carry nothing for the vendor.
        "properties": {"data": data, "jsonapi": {"type": "object"}, "meta": {"type": "object"}},
        "additionalProperties": False,
    }


def _response_relationships(named: dict[str, str]) -> dict[str, Any]:
    """``data.relationships`` of an answer: each name -> the id field whose record it is.

    ``{"account": "account_id"}`` answers ``"account": {"data": {"id": "1", "type": "accounts"}}``
    (string ids, the type from the field's ``x-clarus-references``), ``{"data": null}`` when unset.
    """
    if not named:
        return {"type": "object"}
    targets = references()
    return {
        "type": "object",
        "properties": {
            name: {
                "type": "object",
                "x-clarus-from": field,
                "required": ["data"],
                "properties": {
                    "data": {
                        "type": ["object", "null"],
                        "required": ["id", "type"],
                        "properties": {
                            "id": _id_schema("string"),
                            "type": {"const": targets[field]},
                        },
                        "additionalProperties": False,
                    }
                },
                "additionalProperties": False,
            }
            for name, field in named.items()
        },
        "additionalProperties": False,
    }


def _jsonapi_response(
    file_name: str, data_type: str, id_type: str, spec: dict[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "object",
        "required": ["id", "type", "attributes"],
        "properties": {
            "id": _id_schema(id_type),
            "type": {"const": data_type},
            "attributes": answered(resolve(file_name, spec["attributes"])),
            "relationships": _response_relationships(spec.get("relationships", {})),
        },
        "additionalProperties": False,
    }
    if "meta" in spec:
        data["properties"]["meta"] = {"type": "object"}
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": data, "meta": {"type": "object"}},
        "additionalProperties": False,
    }


def _request_schema(
    file_name: str, data_type: str, spec: dict[str, Any] | None, action: str
) -> dict[str, Any] | None:
    if spec is None:
        return None
    if spec["envelope"] == "jsonapi":
        is_update = action == "update"
        return _jsonapi_request(file_name, spec.get("type", data_type), spec, is_update)
    return resolve(file_name, spec["schema"])


def _response_schema(
    file_name: str, data_type: str, id_type: str, spec: dict[str, Any]
) -> dict[str, Any] | None:
    envelope = spec.get("envelope")
    if envelope == "jsonapi":
        return _jsonapi_response(file_name, spec.get("type", data_type), id_type, spec)
    if envelope in ("bare", "flat"):
        return _answered_object(resolve(file_name, spec["schema"]))
    return None


def answered(schema: Any) -> Any:
    """A response object schema where every optional attribute may be null, at every depth.

    The vendor's responses carry every attribute, ``null`` where no value is set (its examples show
    ``"completed_at": null``, ``"string1": null``...); the server renders them the same way.
    """
    if isinstance(schema, list):
        return [answered(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return _answered_object(schema)


def _answered_object(schema: dict[str, Any]) -> dict[str, Any]:
    """:func:`answered` for a schema object, which stays an object."""
    out = {key: answered(value) for key, value in schema.items()}
    required = set(out.get("required", []))
    for name, prop in out.get("properties", {}).items():
        if name not in required and isinstance(prop, dict):
            _nullable(prop)
    return out


def _nullable(schema: dict[str, Any]) -> None:
    if isinstance(schema.get("enum"), list):
        if None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    elif "const" in schema:
        schema["enum"] = [schema.pop("const"), None]
    elif isinstance(schema.get("type"), str) and schema["type"] != "null":
        schema["type"] = [schema["type"], "null"]
    elif isinstance(schema.get("type"), list) and "null" not in schema["type"]:
        schema["type"] = [*schema["type"], "null"]


def _build(file_name: str, doc: dict[str, Any]) -> list[Operation]:
    resource = doc["x-clarus-resource"]
    data_type = resource["type"]
    ops = []
    for action, spec in doc.get("x-clarus-operations", {}).items():
        request = spec.get("request")
        ops.append(
            Operation(
                name=f"{resource.get('name', data_type)}.{action}",
                resource=resource.get("name", data_type),
                action=action,
                method=spec["method"],
                path=spec["path"],
                summary=spec["summary"],
                source=spec.get("source", ""),
                envelope=None if request is None else request["envelope"],
                data_type=None if request is None else request.get("type", data_type),
                response_status=spec["response"]["status"],
                id_type=resource.get("id_type", "integer"),
                provenance=spec.get("x-clarus-source", "documented"),
                note=spec.get("x-clarus-note"),
                prefix=resource.get("prefix", "/api"),
                media_types=tuple((request or {}).get("media_types", ["application/json"])),
                query=spec.get("query", {}),
                file_name=file_name,
                resource_type=data_type,
                request_spec=request,
                response_spec=spec["response"],
            )
        )
    return ops


@cache
def operations() -> dict[str, Operation]:
    """Every operation the contract kit knows, by name, in file order."""
    table: dict[str, Operation] = {}
    for file_name, doc in schema_documents().items():
        if "x-clarus-resource" not in doc:
            continue
        for op in _build(file_name, doc):
            if op.name in table:
                raise RuntimeError(f"operation {op.name} is defined twice ({file_name})")
            table[op.name] = op
    return table


def get_operation(name: str) -> Operation:
    """Look up an operation by name; raise :class:`UnknownOperationError` naming the nearest ones."""
    table = operations()
    if isinstance(name, str) and name in table:
        return table[name]
    from contracts.names import nearest

    near = nearest(str(name), list(table), limit=3)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise UnknownOperationError(
        f"unknown operation {name!r}{hint} (`clarus-mock check --list` shows them all)"
    )

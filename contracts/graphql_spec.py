"""The GraphQL read API as data: roots, node fields, nested objects and filters, derived from the schemas.

``contracts/schemas/graphql.json`` names each root the vendor documents (``products``, ``goods_outs``...),
the stored resource it reads, the node and filter type names the vendor's list pages use, its documented
filters and the node fields the REST attributes lack. Everything else is derived here from the resource
schemas, so a field added to a schema appears in REST, GraphQL and the docs at once:

- node fields: the resource's attributes (types from the schema), plus ``id``, ``created_at`` and
  ``updated_at``; renames and shown values where the GraphQL pages differ from REST;
- nested objects: one per ``x-clarus-references`` field whose target has a root (``product_id`` ->
  ``product { ... }``), plus statuses (``goods_out_status { code name }``) and relationships
  (``address { ... }``);
- filters: each documented filter's input type follows its field's type (a string is
  ``StringInputType``, an id ``IdInputType``...), and every filter type also has ``id`` and
  ``updated_at`` (additions, marked as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from contracts.registry import references, resolve, schema_documents

ADDITION = "addition"
# Operators per input type, as the vendor's shared "Filter Operators" table lists them.
OPERATORS: dict[str, tuple[str, ...]] = {
    "StringInputType": ("eq", "ilike", "like", "in", "between"),
    "IntegerInputType": ("eq", "gt", "gteq", "lt", "lteq", "between"),
    "DecimalInputType": ("eq", "gt", "gteq", "lt", "lteq", "between"),
    "DatetimeInputType": ("eq", "from", "to", "between"),
    "BooleanInputType": ("eq",),
    "IdInputType": ("eq", "gt", "gteq", "lt", "lteq", "in", "filled"),
}
ENUM_OPERATORS = ("eq", "in")
_INPUT_OF_KIND = {
    "string": "StringInputType",
    "integer": "IntegerInputType",
    "number": "DecimalInputType",
    "datetime": "DatetimeInputType",
    "boolean": "BooleanInputType",
    "id": "IdInputType",
}
COLUMNS = ("id", "parent_id", "created_at", "updated_at")


@dataclass(frozen=True)
class NodeField:
    """A scalar field of a node: ``kind`` is id, string, integer, number, boolean, datetime or json."""

    name: str
    kind: str
    source: str  # the stored attribute, or a column (id, parent_id, created_at, updated_at)
    description: str = ""
    default: Any = None
    values: tuple[tuple[Any, Any], ...] = ()  # stored value -> shown value
    choices: tuple[Any, ...] = ()  # every value the schema allows (its enum), where it has one
    count: str | None = None  # the length of a stored list
    hidden: bool = False  # stored for filters and nested objects, not a node field
    addition: bool = False
    references: str | None = None  # the resource an id names, where no REST schema says
    properties: tuple[NodeField, ...] = ()  # for kind "object": its fields

    @property
    def column(self) -> bool:
        return self.source in COLUMNS


@dataclass(frozen=True)
class Nested:
    """A nested object of a node.

    ``kind``: ``reference`` (the record ``source`` names, of ``root``), ``status`` (the entry of
    ``statuses`` whose ``key`` equals ``source``), ``relationship`` (the JSON:API relationship
    ``source``'s attributes) or ``object`` (fields of the record itself, ``fields`` maps name -> stored).
    """

    name: str
    kind: str
    source: str
    root: str | None = None
    statuses: tuple[dict[str, Any], ...] = ()
    key: str = "id"
    fields: tuple[tuple[str, str], ...] = ()
    node: str | None = None
    addition: bool = False


@dataclass(frozen=True)
class Children:
    """A list of child records (``parent_id`` is this node's id), as nodes of ``root``."""

    name: str
    root: str
    addition: bool = False


@dataclass(frozen=True)
class Filter:
    """One member of a filter input type.

    ``kind``: ``field`` (a node field's stored ``source``), ``via`` (``source`` names a record of
    ``resource`` whose ``target`` field is tested), ``back`` (a record of ``resource`` whose ``source``
    field names this one, and whose ``target`` is tested), ``any_of`` (any of ``fields``), ``status``
    (a status code, stored as its id in ``source``).
    """

    name: str
    input_type: str
    operators: tuple[str, ...]
    kind: str
    source: str = ""
    value_kind: str = "string"
    resource: str | None = None
    target: str = ""
    fields: tuple[str, ...] = ()
    statuses: tuple[dict[str, Any], ...] = ()
    values: tuple[tuple[Any, Any], ...] = ()
    choices: tuple[Any, ...] = ()
    addition: bool = False


@dataclass(frozen=True)
class Root:
    """A query root: ``<name> { all(filter, first, after) { edges { cursor node } pageInfo } }``."""

    name: str
    resource: str | None
    node: str
    filter_type: str
    page: str | None
    fields: tuple[NodeField, ...]
    nested: tuple[Nested, ...]
    children: tuple[Children, ...]
    filters: tuple[Filter, ...]
    addition: bool = False
    note: str = ""

    def field(self, name: str) -> NodeField:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Spec:
    """The whole read API."""

    page_size: int
    max_page_size: int
    roots: dict[str, Root] = field(default_factory=dict)

    def root_of(self, resource: str) -> Root | None:
        """The root that reads ``resource`` (the target type of a nested reference)."""
        return next((r for r in self.roots.values() if r.resource == resource), None)


def _document() -> dict[str, Any]:
    return dict(schema_documents()["graphql.json"]["x-clarus-graphql"])


def _kind(schema: dict[str, Any]) -> str:
    if schema.get("x-clarus-id") or schema.get("x-clarus-references"):
        return "id"
    if schema.get("format") == "date-time":
        return "datetime"
    types = schema.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    if "enum" in schema and not types:
        values = [v for v in schema["enum"] if v is not None]
        types = {"integer" if all(isinstance(v, int) for v in values) else "string"}
    for kind in ("integer", "number", "boolean", "string"):
        if kind in types:
            return kind
    if "object" in types and "properties" in schema:
        return "object"
    if "array" in types:
        return "list"
    return "json"


def _attribute_fields(
    pointer: str, rename: dict[str, str], values: dict[str, Any]
) -> list[NodeField]:
    file_name, _, where = pointer.partition("#")
    schema = resolve(file_name, "#" + where)
    found = []
    for name, sub in schema.get("properties", {}).items():
        kind = _kind(sub)
        if name.endswith("_changes") or kind == "list":
            continue  # child records are their own nodes (lines), REST's *_changes echo is not
        shown = rename.get(name, name)
        found.append(
            NodeField(
                shown,
                kind,
                name,
                sub.get("description", ""),
                values=tuple(tuple(pair) for pair in values.get(shown, [])),
                choices=tuple(v for v in sub.get("enum", ()) if v is not None),
                properties=_object_fields(sub) if kind == "object" else (),
            )
        )
    return found


def _object_fields(schema: dict[str, Any]) -> tuple[NodeField, ...]:
    return tuple(
        NodeField(name, _kind(sub), name, sub.get("description", ""))
        for name, sub in schema.get("properties", {}).items()
        if _kind(sub) not in ("object", "list")
    )


def _extra_field(name: str, spec: dict[str, Any]) -> NodeField:
    return NodeField(
        name,
        spec["type"],
        spec.get("column") or spec.get("source") or name,
        spec.get("note", ""),
        default=spec.get("default"),
        count=spec.get("count"),
        hidden=bool(spec.get("hidden")),
        addition=True,
        references=spec.get("references"),
        values=tuple(tuple(pair) for pair in spec.get("values", [])),
    )


def _statuses(pointer: str) -> tuple[dict[str, Any], ...]:
    file_name, _, where = pointer.partition("#")
    node: Any = schema_documents()[file_name]
    for part in where.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return tuple(node["x-clarus-statuses"])


@cache
def spec() -> Spec:
    """The read API, every root resolved."""
    document = _document()
    raw_roots: dict[str, dict[str, Any]] = document["roots"]
    resources = {
        spec.get("resource"): name for name, spec in raw_roots.items() if spec.get("resource")
    }
    roots = {name: _root(name, raw, resources) for name, raw in raw_roots.items()}
    return Spec(document["page_size"], document["max_page_size"], roots)


def _root(name: str, raw: dict[str, Any], resources: dict[Any, str]) -> Root:
    rename = raw.get("rename", {})
    values = raw.get("values", {})
    fields: list[NodeField] = [NodeField("id", "id", "id")]
    if "attributes" in raw:
        fields += [
            f for f in _attribute_fields(raw["attributes"], rename, values) if f.name != "id"
        ]
    known = {f.name for f in fields}
    for extra_name, extra in raw.get("fields", {}).items():
        if extra_name in known:  # a REST attribute: the spec only gives it a default
            fields = [
                replace(f, default=extra.get("default")) if f.name == extra_name else f
                for f in fields
            ]
            continue
        fields.append(_extra_field(extra_name, extra))
        known.add(extra_name)
    for column in ("created_at", "updated_at"):
        if column not in known:
            fields.append(NodeField(column, "datetime", column, addition=column == "updated_at"))
    nested = _nested(raw, fields, resources)
    children = tuple(
        Children(child_name, child["root"], bool(child.get("addition")))
        for child_name, child in raw.get("children", {}).items()
    )
    filters = _filters(raw, fields, resources)
    return Root(
        name,
        raw.get("resource"),
        raw["node"],
        raw["filter"],
        raw.get("page"),
        tuple(fields),
        nested,
        children,
        filters,
        bool(raw.get("addition")),
        raw.get("note", ""),
    )


def _nested(
    raw: dict[str, Any], fields: list[NodeField], resources: dict[Any, str]
) -> tuple[Nested, ...]:
    found: dict[str, Nested] = {}
    targets = references()
    for f in fields:
        # A child's parent is stored as parent_id; its node field keeps the vendor's name.
        target = f.references or targets.get(f.name if f.column else f.source)
        if f.kind == "id" and f.name.endswith("_id") and target in resources:
            name = f.name[:-3]
            found[name] = Nested(name, "reference", f.source, root=resources[target])
    for name, spec in raw.get("nested", {}).items():
        addition = bool(spec.get("addition"))
        if "statuses" in spec:
            found[name] = Nested(
                name,
                "status",
                spec["from"],
                statuses=_statuses(spec["statuses"]),
                key=spec.get("key", "id"),
                addition=addition,
            )
        elif "relationship" in spec:
            found[name] = Nested(name, "relationship", spec["relationship"], addition=addition)
        elif "object" in spec:
            found[name] = Nested(
                name,
                "object",
                "",
                fields=tuple(spec["object"].items()),
                node=spec.get("node"),
                addition=addition,
            )
        else:
            target = targets[spec["from"]]
            found[name] = Nested(
                name, "reference", spec["from"], root=resources[target], addition=addition
            )
    return tuple(found.values())


def _filters(
    raw: dict[str, Any], fields: list[NodeField], resources: dict[Any, str]
) -> tuple[Filter, ...]:
    by_name = {f.name: f for f in fields}
    documented = raw.get("filters", {})
    found: list[Filter] = []
    for name, spec in documented.items():
        found.append(_filter(name, spec, by_name, raw))
    for name in ("id", "updated_at"):
        if name not in documented:
            found.append(_filter(name, {}, by_name, raw, addition=True))
    return tuple(found)


def _filter(
    name: str,
    spec: dict[str, Any],
    by_name: dict[str, NodeField],
    raw: dict[str, Any],
    addition: bool = False,
) -> Filter:
    if "any_of" in spec:
        return Filter(
            name,
            "StringInputType",
            OPERATORS["StringInputType"],
            "any_of",
            fields=tuple(spec["any_of"]),
        )
    if "status" in spec:
        node = raw["nested"]
        statuses = next(
            _statuses(n["statuses"]) for n in node.values() if n.get("from") == spec["status"]
        )
        return Filter(
            name,
            "StringInputType",
            OPERATORS["StringInputType"],
            "status",
            source=spec["status"],
            statuses=statuses,
        )
    if "via" in spec:
        named = by_name.get(spec["via"])
        target = spec.get("resource") or (named.references if named else None)
        target = target or references()[spec["via"]]
        return Filter(
            name,
            "StringInputType",
            OPERATORS["StringInputType"],
            "via",
            source=spec["via"],
            resource=target,
            target=spec["field"],
        )
    if "back" in spec:
        back = spec["back"]
        return Filter(
            name,
            "IdInputType",
            OPERATORS["IdInputType"],
            "back",
            source=back["field"],
            resource=back["resource"],
            target=name,
            value_kind="id",
        )
    if name not in by_name:
        raise ValueError(f"GraphQL filter {name!r} names no field of node {raw['node']}")
    node_field = by_name[name]
    input_type = spec.get("input") or _INPUT_OF_KIND.get(node_field.kind, "StringInputType")
    operators = tuple(spec.get("operators") or OPERATORS.get(input_type, ENUM_OPERATORS))
    return Filter(
        name,
        input_type,
        operators,
        "field",
        source=node_field.source,
        value_kind=node_field.kind,
        values=node_field.values,
        choices=node_field.choices,
        addition=addition or bool(node_field.addition and name in ("id", "updated_at")),
    )


def index_plan() -> dict[str, tuple[str, ...]]:
    """Per stored resource, the attributes the read API looks records up by (the store indexes them).

    References (ids), the code fields behind ``all_codes``, statuses and the fields of unique keys:
    what is compared for equality. Free text, numbers and flags are filtered without an index, so
    writing a record does not pay for them.
    """
    from contracts.registry import unique_keys

    plan: dict[str, list[str]] = {}

    def add(resource: str | None, name: str) -> None:
        if resource and name not in COLUMNS:
            plan.setdefault(resource, []).append(name)

    for root in spec().roots.values():
        unique = {name for key in unique_keys().get(root.resource or "", ()) for name in key.fields}
        for f in root.filters:
            if (f.kind == "field" and (f.value_kind == "id" or f.source in unique or f.values)) or (
                f.kind == "field" and f.name == "status"
            ):
                add(root.resource, f.source)
            elif f.kind == "via":
                add(root.resource, f.source)
                add(f.resource, f.target)
            elif f.kind == "back":
                add(f.resource, f.source)
            elif f.kind == "any_of":
                for name in f.fields:
                    add(root.resource, name)
            elif f.kind == "status":
                add(root.resource, f.source)
    return {name: tuple(dict.fromkeys(fields)) for name, fields in plan.items()}

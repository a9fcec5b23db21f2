"""The Strawberry schema of the read API, built from :func:`contracts.graphql_spec.spec`.

Nothing here names a resource or a field: node types, nested objects, filter input types and the
``<root> { all(filter, first, after) }`` connections are made from the spec, so a field added to a
resource schema is in the GraphQL API at once. Field names stay snake_case (the vendor's), connection
fields camelCase (``pageInfo``, ``hasNextPage``, ``endCursor``), as the vendor's examples show.

This module builds types at run time, so it does not use postponed annotations: Strawberry reads the
``__annotations__`` set on the generated classes and resolvers.
"""

import threading
import types
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info, get_object_definition

from contracts.graphql_spec import (
    ENUM_OPERATORS,
    OPERATORS,
    Children,
    Nested,
    NodeField,
    Root,
    spec,
)
from mock_server.clock import iso as epoch_iso
from mock_server.graphql import connection
from mock_server.graphql.connection import stored
from mock_server.store import Record

MAX_DEPTH = 10
Resolve = Callable[[Record, Any], Any]
MAX_ALIASES = 30
"""Deepest nesting and most aliases one query may use; more is an error, not a slow answer."""
Decimal = typing.NewType("Decimal", float)
_SCALARS: dict[str, Any] = {
    "id": strawberry.ID,
    "string": str,
    "integer": int,
    "number": "Decimal",
    "boolean": bool,
    "datetime": str,
    "json": JSON,
}
_OPERAND: dict[str, Any] = {
    "StringInputType": str,
    "IntegerInputType": int,
    "DecimalInputType": float,
    "DatetimeInputType": str,
    "BooleanInputType": bool,
    "IdInputType": strawberry.ID,
}


def iso(value: Any) -> str | None:
    """A stored date-time (ISO text with any offset, or epoch seconds) as ISO 8601 UTC with ``Z``."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return epoch_iso(value)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return moment.isoformat()  # a date without a time stays as it was given
    return epoch_iso(moment.timestamp())


def shown(field: NodeField, record: Record) -> Any:
    """A node field's value as the API shows it."""
    if field.count is not None:
        return len(record.attributes.get(field.count) or [])
    value = stored(record, field.source)
    for stored_value, word in field.values:
        if value == stored_value:
            return word
    if value is None:
        value = field.default
    if value is None:
        return None
    if field.kind == "id":
        return str(value)
    if field.kind == "datetime":
        return iso(value)
    if field.kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field.kind == "number" and not isinstance(value, bool):
        return float(value)
    return value


def _register(made: Any) -> Any:
    """Make a generated type visible to Strawberry's resolution of string annotations."""
    globals()[made.__name__] = made
    return made


def _optional(annotation: object) -> object:
    """``Optional[annotation]`` for an annotation made at run time (a generated type, a scalar)."""
    # Not `annotation | None`: an annotation may be a string naming a type (``"Decimal"``).
    return typing.Optional[annotation]  # noqa: UP045


def _list_of(item: object) -> object:
    """``list[item]`` for a type made at run time (mypy reads ``list[x]`` as a static type)."""
    return types.GenericAlias(list, (item,))


def _make_type(name: str, members: dict[str, Any], description: str = "") -> Any:
    namespace: dict[str, Any] = {"__annotations__": {}, "__doc__": description or None}
    namespace.update(members)
    return strawberry.type(type(name, (), namespace), description=description or None)


def _make_input(name: str, members: dict[str, tuple[Any, str]], description: str = "") -> Any:
    namespace: dict[str, Any] = {"__annotations__": {}}
    for python_name, (annotation, graphql_name) in members.items():
        namespace["__annotations__"][python_name] = _optional(annotation)
        namespace[python_name] = strawberry.field(name=graphql_name, default=None)
    return strawberry.input(type(name, (), namespace), description=description or None)


def _resolver(function: Callable[..., Any], returns: Any, **arguments: Any) -> Any:
    function.__annotations__ = {**arguments, "return": returns}
    return function


class Builder:
    """Makes every type once; the spec's names are the GraphQL type names."""

    def __init__(self) -> None:
        self.spec = spec()
        self.nodes: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}
        self.objects: dict[str, Any] = {}
        # (type, field) -> resolve(source, info): graphql-core calls these directly (see build).
        self.resolvers: dict[tuple[str, str], Resolve] = {}

    def field(
        self, node: str, name: str, resolve: Resolve, returns: Any, description: str | None
    ) -> Any:
        """A node field resolved by ``resolve(record, info)``, registered for the fast path."""
        self.resolvers[(node, name)] = resolve

        def resolver(root: Record, info: Info) -> Any:
            return resolve(root, info)

        return strawberry.field(
            resolver=_resolver(resolver, returns, info=Info), name=name, description=description
        )

    def node(self, root_name: str) -> Any:
        """The node type of a root, made once.

        Nodes refer to each other (an order's lines, a line's order): nested fields name their
        type as a string, which Strawberry resolves in this module's namespace once every type is
        registered there (:func:`_register`).
        """
        root = self.spec.roots[root_name]
        if root.node in self.nodes:
            return self.nodes[root.node]
        members: dict[str, Any] = {}
        for f in root.fields:
            if not f.hidden:
                members[f.name] = self._scalar_field(root, f)
        for nested in root.nested:
            members[nested.name] = self._nested_field(root, nested)
        for child in root.children:
            members[child.name] = self._children_field(root, child)
        made = _register(_make_type(root.node, members, _node_description(root)))
        self.nodes[root.node] = made
        return made

    def _scalar_field(self, root: Root, f: NodeField) -> Any:
        description = _field_description(f)
        if f.kind == "object":
            kind = self._object_type(f)

            def resolve_object(record: Record, info: Any) -> Any:
                value = stored(record, f.source)
                return kind(**{p.name: value.get(p.name) for p in f.properties}) if value else None

            return self.field(root.node, f.name, resolve_object, _optional(kind), description)

        def resolve(record: Record, info: Any) -> Any:
            return shown(f, record)

        return self.field(root.node, f.name, resolve, self._annotation(root, f), description)

    def _annotation(self, root: Root, f: NodeField) -> Any:
        scalar = _SCALARS.get(f.kind, JSON)
        return scalar if f.name == "id" else _optional(scalar)

    def _object_type(self, f: NodeField) -> Any:
        name = "".join(part.title() for part in f.name.split("_"))
        if name not in self.objects:
            members = {p.name: _optional(_SCALARS.get(p.kind, JSON)) for p in f.properties}
            namespace = {"__annotations__": members, **dict.fromkeys(members)}
            self.objects[name] = strawberry.type(type(name, (), namespace))
        return self.objects[name]

    def _nested_field(self, root: Root, nested: Nested) -> Any:
        description = "Addition: not in the vendor's pages." if nested.addition else None
        if nested.kind == "reference":
            target = self.spec.roots[nested.root or ""]

            def resolve_reference(record: Record, info: Any) -> Any:
                return info.context.reference(record, nested.source, target.resource)

            # A string: the target node may not be made yet (see node).
            returns: object = f"typing.Optional[{target.node}]"
            return self.field(root.node, nested.name, resolve_reference, returns, description)
        if nested.kind == "status":
            status_type = self._status_type(nested)
            by_key = {status[nested.key]: status for status in nested.statuses}

            def resolve_status(record: Record, info: Any) -> Any:
                status = by_key.get(record.attributes.get(nested.source))
                if status is None:
                    return None
                return status_type(**{k: status.get(k) for k in ("id", "code", "name")})

            returns = _optional(status_type)
            return self.field(root.node, nested.name, resolve_status, returns, description)
        if nested.kind == "relationship":
            address = self._address_type()

            def resolve_relationship(record: Record, info: Any) -> Any:
                data = (record.relationships.get(nested.source) or {}).get("data") or {}
                attributes = data.get("attributes")
                if not attributes:
                    return None
                return address(**{k: attributes.get(k) for k in _ADDRESS_FIELDS})

            returns = _optional(address)
            return self.field(root.node, nested.name, resolve_relationship, returns, description)
        object_type = self._plain_object(nested)

        def resolve_plain(record: Record, info: Any) -> Any:
            values = {name: record.attributes.get(source) for name, source in nested.fields}
            if all(value is None for value in values.values()):
                return None
            return object_type(
                **{k: (str(v) if k == "id" and v is not None else v) for k, v in values.items()}
            )

        returns = _optional(object_type)
        return self.field(root.node, nested.name, resolve_plain, returns, description)

    def _status_type(self, nested: Nested) -> Any:
        name = "".join(part.title() for part in nested.name.split("_"))
        if name not in self.objects:
            namespace = {
                "__annotations__": {
                    "id": typing.Optional[strawberry.ID],  # noqa: UP045
                    "code": typing.Optional[str],  # noqa: UP045
                    "name": typing.Optional[str],  # noqa: UP045
                },
                "id": None,
                "code": None,
                "name": None,
            }
            self.objects[name] = strawberry.type(type(name, (), namespace))
        return self.objects[name]

    def _address_type(self) -> Any:
        if "Address" not in self.objects:
            members = dict.fromkeys(_ADDRESS_FIELDS, typing.Optional[str])  # noqa: UP045
            namespace = {"__annotations__": members, **dict.fromkeys(members)}
            self.objects["Address"] = strawberry.type(
                type("Address", (), namespace),
                description="An address block (town or city in address_3).",
            )
        return self.objects["Address"]

    def _plain_object(self, nested: Nested) -> Any:
        name = _object_name(nested)
        if name not in self.objects:
            # One type for every nested object of that name (a user is a user wherever it shows).
            names = {
                field_name: None
                for root in self.spec.roots.values()
                for other in root.nested
                if other.kind == "object" and _object_name(other) == name
                for field_name, _ in other.fields
            }
            members = {
                field_name: typing.Optional[strawberry.ID if field_name == "id" else str]  # noqa: UP045
                for field_name in names
            }
            namespace = {"__annotations__": members, **dict.fromkeys(members)}
            self.objects[name] = strawberry.type(type(name, (), namespace))
        return self.objects[name]

    def _children_field(self, root: Root, child: Children) -> Any:
        target = self.spec.roots[child.root]

        def resolve_children(record: Record, info: Any) -> Any:
            return info.context.children(record, target.resource)

        description = "Addition: not in the vendor's pages." if child.addition else None
        returns = f"list[{target.node}]"
        return self.field(root.node, child.name, resolve_children, returns, description)

    def operator_input(self, input_type: str, operators: tuple[str, ...]) -> Any:
        """An operator input type (``StringInputType`` ...), made once per name."""
        if input_type in self.inputs:
            return self.inputs[input_type]
        operand = _OPERAND.get(input_type, str)
        members: dict[str, tuple[Any, str]] = {}
        for operator in operators:
            many = operator in ("in", "between")
            annotation = _list_of(operand) if many else (bool if operator == "filled" else operand)
            members[f"{operator}_" if operator in ("in", "from") else operator] = (
                annotation,
                operator,
            )
        made = _make_input(input_type, members, _OPERATOR_HELP.get(input_type, ""))
        self.inputs[input_type] = made
        return made

    def filter_input(self, root: Root) -> Any:
        members: dict[str, tuple[Any, str]] = {}
        for f in root.filters:
            operators = f.operators if f.input_type in OPERATORS else ENUM_OPERATORS
            members[f.name] = (self.operator_input(f.input_type, operators), f.name)
        return _make_input(
            root.filter_type, members, f"Filters of {root.name}.all; several are ANDed."
        )

    def root_type(self, root: Root) -> Any:
        node = self.node(root.name)
        edge = _make_type(
            f"{root.node}Edge",
            {"__annotations__": {"cursor": str, "node": node}},
        )
        page_info = self.page_info()
        connection_type = _make_type(
            f"{root.node}Connection",
            {"__annotations__": {"edges": _list_of(edge), "pageInfo": page_info}},
        )
        filter_input = self.filter_input(root)
        size = self.spec

        async def resolve_all(
            info: Info, filter: Any = None, first: int | None = None, after: str | None = None
        ) -> Any:
            return await connection.page(
                info.context,
                root,
                _as_dict(filter),
                first,
                after,
                size,
                edge,
                connection_type,
                page_info,
            )

        all_field = strawberry.field(
            resolver=_resolver(
                resolve_all,
                connection_type,
                info=Info,
                filter=_optional(filter_input),
                first=typing.Optional[int],  # noqa: UP045
                after=typing.Optional[str],  # noqa: UP045
            ),
            name="all",
            description=f"{root.name} in id order, {size.page_size} at a time (first: at most "
            f"{size.max_page_size}).",
        )
        return _make_type(f"{root.node}Root", {"all": all_field}, root.note)

    def page_info(self) -> Any:
        if "PageInfo" not in self.objects:
            namespace = {
                "__annotations__": {
                    "hasNextPage": bool,
                    "hasPreviousPage": bool,
                    "startCursor": typing.Optional[str],  # noqa: UP045
                    "endCursor": typing.Optional[str],  # noqa: UP045
                }
            }
            self.objects["PageInfo"] = strawberry.type(type("PageInfo", (), namespace))
        return self.objects["PageInfo"]


_ADDRESS_FIELDS = (
    "name",
    "address_1",
    "address_2",
    "address_3",
    "address_4",
    "postcode",
    "country_code",
    "email_address",
    "phone_number",
)
_OPERATOR_HELP = {
    "StringInputType": "eq (exact), ilike (case-insensitive substring), like (case-sensitive "
    "substring), in (any of a list), between ([min, max], both included).",
    "IntegerInputType": "eq, gt, gteq, lt, lteq, between ([min, max], both included).",
    "DecimalInputType": "eq, gt, gteq, lt, lteq, between ([min, max], both included).",
    "DatetimeInputType": "ISO 8601 date-times, compared by the instant to the second: eq, from (>=), "
    "to (<=), "
    "between ([min, max], both included).",
    "BooleanInputType": "eq.",
    "IdInputType": "eq, gt, gteq, lt, lteq, in (any of a list), filled (true: has a value).",
}


def _object_name(nested: Nested) -> str:
    return nested.node or "".join(part.title() for part in nested.name.split("_"))


def _constructor(made: Any) -> Any:
    """A resolver answering a new ``made`` (the root types hold no data: ``all`` does the work)."""

    def resolve() -> Any:
        return made()

    return _resolver(resolve, made)


def _as_dict(value: object) -> dict[str, Any] | None:
    """The ``filter`` argument (a Strawberry input object, or None) as plain data."""
    plain = _plain(value)
    if plain is None or isinstance(plain, dict):
        return plain
    raise TypeError(f"a filter is an input object, not {type(value).__name__}")


def _plain(value: object) -> object:
    """A Strawberry input value as plain data: input objects as dicts with GraphQL names as keys
    (``from``, ``in``), lists item by item, scalars as they are."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    definition = get_object_definition(value)
    if definition is None:
        return value
    found = {}
    for f in definition.fields:
        item = getattr(value, f.python_name)
        if item is not None:
            found[f.graphql_name or f.python_name] = _plain(item)
    return found


def _node_description(root: Root) -> str:
    page = f"Vendor page: {root.page}." if root.page else ""
    addition = " Addition: not in the vendor's GraphQL pages." if root.addition else ""
    return f"{page}{addition} {root.note}".strip()


def _field_description(f: NodeField) -> str | None:
    if f.addition and f.description:
        return f"{f.description} (Addition.)"
    return f.description or None


class _Schema(strawberry.Schema):
    """Strawberry's schema, minus its logging of every refused query: /graphql logs surprises."""

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        return None


_DECIMAL = strawberry.scalar(
    name="Decimal",
    serialize=lambda value: int(value) if float(value).is_integer() else float(value),
    parse_value=float,
    description="A quantity: a JSON number, whole numbers without a fraction (240, 2.5).",
)


_GUARDS = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


_BUILDING = threading.Lock()


def build() -> strawberry.Schema:
    """The schema: one root field per spec root, with depth and alias guards (made once).

    Safe from any thread: the server may build it in the background while a request waits for it.
    """
    with _BUILDING:
        return _build()


@cache
def _build() -> strawberry.Schema:
    builder = Builder()
    for name in builder.spec.roots:
        builder.node(name)
    members: dict[str, Any] = {}
    for name, root in builder.spec.roots.items():
        root_type = builder.root_type(root)
        members[name] = strawberry.field(resolver=_constructor(root_type), name=name)
    query = _make_type("Query", members, "The Clarus read API: one connection per resource.")
    schema = _Schema(
        query=query,
        config=StrawberryConfig(auto_camel_case=False, scalar_map={Decimal: _DECIMAL}),
        extensions=[
            # The guards' rule classes are made once, so a query text validated once is found in
            # the validation cache (keyed by the rules too); parsing is cached by text.
            lambda: AddValidationRules(_GUARDS),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
    _direct(schema, builder.resolvers)
    return schema


def _direct(schema: strawberry.Schema, resolvers: dict[tuple[str, str], Resolve]) -> None:
    """Let graphql-core call node resolvers directly, and read plain members itself.

    Strawberry wraps every field's resolver (arguments, Info, extensions): a 100-order page with
    its lines resolves about 4,000 fields, and the wrapping was two thirds of its time. Node
    fields take no arguments and need only ``info.context``, so the wrapping buys nothing there.
    Edges, page info, statuses and addresses are plain objects: graphql-core's default resolver
    reads their attributes (named as the GraphQL fields). The connection roots keep Strawberry's
    resolvers, which convert the ``filter`` input.
    """
    graphql_schema = schema._schema  # graphql-core's schema, the one that executes requests
    for name, kind in graphql_schema.type_map.items():
        if name.startswith("__") or name == "Query" or not isinstance(kind, GraphQLObjectType):
            continue
        for field_name, field in kind.fields.items():
            if (name, field_name) in resolvers:
                field.resolve = resolvers[(name, field_name)]
            elif field.args == {}:
                field.resolve = None

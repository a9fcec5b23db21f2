"""One page of a root's connection, and the per-request context that batches nested lookups.

Nested objects load without N+1 queries, and without a task per field: records loaded together (a
page, the lines of a page's orders, the accounts those orders name) are siblings. The first time a
resolver asks for a sibling's nested object, the context loads that field for every sibling at once:
one query per (batch, field), however many nodes the page has.
"""

from __future__ import annotations

from typing import Any

from contracts.graphql_spec import Root, Spec
from mock_server.graphql import balances
from mock_server.graphql.filters import (
    QueryError,
    after_key,
    compile_filter,
    cursor,
    not_a_cursor,
)
from mock_server.http_input import whole_number
from mock_server.store import Record, Store


class Context:
    """What every resolver of one request shares: the store, the tenant and the loaded records."""

    def __init__(self, store: Store, tenant: str) -> None:
        self.store = store
        self.tenant = tenant
        self._siblings: dict[int, list[Record]] = {}  # id(record) -> the records loaded with it
        self._records: dict[tuple[str, int], Record | None] = {}
        self._children: dict[tuple[str, int], list[Record]] = {}

    def loaded(self, records: list[Record]) -> list[Record]:
        """Mark records loaded together as siblings; returns them."""
        for record in records:
            self._siblings[id(record)] = records
        return records

    def reference(self, record: Record, field: str, resource: str | None) -> Record | None:
        """The ``resource`` record that ``record``'s ``field`` names, loaded for all its siblings."""
        target = _id(stored(record, field))
        if resource is None or target is None:
            return None
        if (resource, target) not in self._records:
            wanted = {
                i
                for sibling in self._siblings.get(id(record), [record])
                if (i := _id(stored(sibling, field))) is not None
                and (resource, i) not in self._records
            }
            found = self.store.get_many(self.tenant, resource, sorted(wanted))
            self.loaded(list(found.values()))
            for i in wanted:
                self._records[(resource, i)] = found.get(i)
        return self._records[(resource, target)]

    def children(self, record: Record, resource: str | None) -> list[Record]:
        """The child records (order lines) of ``record``, loaded for all its siblings."""
        if resource is None:
            return []
        if (resource, record.id) not in self._children:
            parents = [
                sibling.id
                for sibling in self._siblings.get(id(record), [record])
                if (resource, sibling.id) not in self._children
            ]
            found = self.store.children_of(self.tenant, resource, parents)
            self.loaded([child for group in found.values() for child in group])
            for parent in parents:
                self._children[(resource, parent)] = found.get(parent, [])
        return self._children[(resource, record.id)]


def stored(record: Record, source: str) -> Any:
    """A stored attribute or column (``id``, ``parent_id``, ``created_at``, ``updated_at``)."""
    if source == "id":
        return record.id
    if source in ("parent_id", "created_at", "updated_at"):
        return getattr(record, source)
    return record.attributes.get(source)


def _id(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


async def page(
    context: Context,
    root: Root,
    given: dict[str, Any] | None,
    first: int | None,
    after: str | None,
    spec: Spec,
    edge: Any,
    connection: Any,
    page_info: Any,
) -> Any:
    """``root.all(filter, first, after)``: up to ``first`` records after the cursor, in id order."""
    size = spec.page_size if first is None else first
    if not 1 <= size <= spec.max_page_size:
        raise QueryError(
            f"first: {first} is out of range; ask for 1 to {spec.max_page_size} records a page "
            f"(default {spec.page_size}) and follow pageInfo.endCursor"
        )
    key = after_key(root.name, after)
    predicates = compile_filter(root, given)
    if root.resource is None:
        rows, more = balances.page(context.store, context.tenant, root, given, key, size)
    else:
        after_id = None if key is None else _cursor_id(key)
        if key is not None and after_id is None:
            raise not_a_cursor(after or "")
        rows = context.store.query(context.tenant, root.resource, predicates, after_id, size + 1)
        more = len(rows) > size
        rows = rows[:size]
    edges = [edge(cursor=cursor(root.name, _key(row)), node=row) for row in context.loaded(rows)]
    info = page_info(
        hasNextPage=more,
        hasPreviousPage=key is not None,
        startCursor=edges[0].cursor if edges else None,
        endCursor=edges[-1].cursor if edges else None,
    )
    return connection(edges=edges, pageInfo=info)


def _key(row: Record) -> Any:
    return row.attributes.get("key", row.id) if row.resource == "stock_balances" else row.id


_LARGEST_ID = 2**63 - 1  # SQLite's largest integer: no record has a larger id


def _cursor_id(key: str) -> int | None:
    """The record id a cursor of this API holds (ASCII digits, at most SQLite's largest integer),
    or None: ``-1``, `` 1``, full-width digits or a 24-digit number were never handed out."""
    number = whole_number(key)
    return number if number is not None and number <= _LARGEST_ID else None

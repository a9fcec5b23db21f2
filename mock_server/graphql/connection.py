"""One page of a root's connection, and the per-request context that batches nested lookups.

Nested objects load without N+1 queries: every reference a page needs (the accounts of 100 orders) is
gathered by a DataLoader and read with one query per resource, and children (order lines) with one
query per child resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.dataloader import DataLoader

from contracts.graphql_spec import Root, Spec
from mock_server.graphql import balances
from mock_server.graphql.filters import QueryError, after_key, compile_filter, cursor
from mock_server.store import Record, Store


class Context:
    """What every resolver of one request shares: the store, the tenant and the loaders."""

    def __init__(self, store: Store, tenant: str) -> None:
        self.store = store
        self.tenant = tenant
        self._records: dict[str, DataLoader[int, Record | None]] = {}
        self._children: dict[str, DataLoader[int, list[Record]]] = {}

    async def record(self, resource: str | None, record_id: Any) -> Record | None:
        """The record of ``resource`` with this id, batched with every other one of the request."""
        if resource is None:
            return None
        try:
            key = int(record_id)
        except (TypeError, ValueError):
            return None
        loader = self._records.get(resource)
        if loader is None:
            loader = self._records[resource] = DataLoader(load_fn=self._batch_records(resource))
        return await loader.load(key)

    def _batch_records(self, resource: str) -> Callable[[list[int]], Any]:
        async def load(ids: list[int]) -> list[Record | None]:
            found = self.store.get_many(self.tenant, resource, ids)
            return [found.get(i) for i in ids]

        return load

    async def children(self, resource: str | None, parent_id: int) -> list[Record]:
        """The child records (order lines) of one parent, batched with the other parents."""
        if resource is None:
            return []
        loader = self._children.get(resource)
        if loader is None:
            loader = self._children[resource] = DataLoader(load_fn=self._batch_children(resource))
        return await loader.load(parent_id)

    def _batch_children(self, resource: str) -> Callable[[list[int]], Any]:
        async def load(parents: list[int]) -> list[list[Record]]:
            found = self.store.children_of(self.tenant, resource, parents)
            return [found.get(p, []) for p in parents]

        return load


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
        try:
            after_id = int(key) if key is not None else None
        except ValueError:
            raise QueryError(f"after: {after!r} is not a cursor this API gave out") from None
        rows = context.store.query(context.tenant, root.resource, predicates, after_id, size + 1)
        more = len(rows) > size
        rows = rows[:size]
    edges = [edge(cursor=cursor(root.name, _key(row)), node=row) for row in rows]
    info = page_info(
        hasNextPage=more,
        hasPreviousPage=key is not None,
        startCursor=edges[0].cursor if edges else None,
        endCursor=edges[-1].cursor if edges else None,
    )
    return connection(edges=edges, pageInfo=info)


def _key(row: Record) -> Any:
    return row.attributes.get("key", row.id) if row.resource == "stock_balances" else row.id

"""Every status change in the domain, in one place: checked against the schemas, then recorded.

The allowed changes are data: ``x-clarus-transitions`` beside each resource's statuses in
``contracts/schemas`` (goods outs by ``goods_out_status_id`` code, receipts, tasks, shipments, stocks
by ``status``, pick processing requests in graphql.json), each with the vendor page behind it.
:func:`transition` changes a record's status and appends ``{resource, id, from, to, at}`` to the
store's ``transitions`` table inside the caller's transaction, so a refused request records nothing;
:func:`create` stores a record in its first status and records the change from nothing. The floor
and the webhooks read them back with ``Store.transitions(tenant, since=seq)``.

A change the table does not allow raises :class:`UndocumentedTransition`: a programming error (the
face's rules refuse a bad request first, with a 422), so the server answers it with a 500.
"""

from __future__ import annotations

from typing import Any

from contracts.registry import Transitions, transitions
from mock_server.domain.env import Env
from mock_server.store import Record


class UndocumentedTransition(RuntimeError):
    """A status change no schema documents: a bug in the caller, not a client's mistake."""


def table(resource: str) -> Transitions:
    """The allowed status changes of ``resource``; UndocumentedTransition when it has none."""
    found = transitions().get(resource)
    if found is None:
        raise UndocumentedTransition(f"{resource} has no x-clarus-transitions in the schemas")
    return found


def _check(env: Env, found: Transitions, record_id: int, before: Any, after: Any) -> None:
    if not env.store.in_transaction:
        raise UndocumentedTransition("a status changes inside a store transaction only")
    if not found.allows(before, after):
        start = "nothing" if before is None else repr(before)
        raise UndocumentedTransition(
            f"{found.resource} {record_id}: {found.field} {start} -> {after!r} is not in the "
            "schemas' x-clarus-transitions"
        )


def create(
    env: Env,
    resource: str,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    parent_id: int | None = None,
) -> Record:
    """Store a new record whose ``attributes`` hold its first status, and record that change.

    Raises UndocumentedTransition when the schemas do not let a record of ``resource`` start so.
    """
    found = table(resource)
    after = attributes.get(found.field)
    _check(env, found, 0, None, after)
    record = env.store.create(env.tenant, resource, attributes, relationships, parent_id)
    env.store.add_transition(env.tenant, resource, record.id, None, after, env.clock.now())
    return record


def transition(env: Env, record: Record, to: Any, field: str | None = None) -> Record:
    """Set the record's status to ``to``, write it back and record the change.

    ``field`` defaults to the resource's status field in the schemas; ``to`` is the stored value
    (``goods_out_status_id`` 3, a receipt's ``"received"``). The record is written back with any
    other change the caller made to it; a status that stays as it is records nothing. Raises
    UndocumentedTransition for a change the schemas do not list, or outside a transaction.
    """
    found = table(record.resource)
    if field is not None and field != found.field:
        raise UndocumentedTransition(
            f"{record.resource} changes status in {found.field}, not {field}"
        )
    before = record.attributes.get(found.field)
    if before != to:
        _check(env, found, record.id, before, to)
    record.attributes[found.field] = to
    env.store.save(env.tenant, record)
    if before != to:
        env.store.add_transition(
            env.tenant, record.resource, record.id, before, to, env.clock.now()
        )
    return record

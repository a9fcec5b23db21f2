"""One change of the world: a store transaction whose status transitions set the floor's next steps
and write the outbox, all committed together (or none of it).

REST writes and floor steps both go through :func:`change`, so an order created by a client and an
order dispatched by the floor fire automations the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mock_server.domain.env import Env
from mock_server.store import Transition
from mock_server.webhooks.events import Change
from mock_server.webhooks.outbox import enqueue


@dataclass
class Unit:
    """What a change is doing: where to write (``env``), and changes that are not status
    transitions (an update, a delete) for the outbox."""

    env: Env
    changes: list[Change] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)  # filled when the body is done


@contextmanager
def change(state: Any, tenant: str) -> Iterator[Unit]:
    """A transaction for ``tenant``: after the body, its transitions schedule floor steps and its
    changes fire automations inside the same transaction; the delivery worker is woken after the
    commit when a webhook call became due (an email is only recorded, and waking the worker's
    thread costs the request a switch of the interpreter lock). An exception rolls everything
    back."""
    store = state.store
    with store.transaction():
        mark = store.last_transition_seq()
        unit = Unit(Env(store, tenant, state.clocks.of(tenant)))
        yield unit
        unit.transitions = store.transitions(tenant, since=mark)
        state.floor.react(tenant, unit.transitions)
        moved = [Change(resource, i, movement) for resource, i, movement in store.noted()]
        changes = [*(_as_change(t) for t in unit.transitions), *moved, *unit.changes]
        made = enqueue(store, tenant, unit.env.clock.now(), _unique(changes))
    if any(delivery.state == "pending" for delivery in made):
        state.worker.wake()


def _as_change(transition: Transition) -> Change:
    if transition.from_ is None:
        return Change(transition.resource, transition.id, "create", None, transition.to)
    return Change(transition.resource, transition.id, "transition", transition.from_, transition.to)


def _unique(changes: list[Change]) -> list[Change]:
    """Each change once (a create is both a transition from nothing and a REST create), in the
    place it first came, the one holding the record (``snapshot``) kept when there is one."""
    found: dict[tuple[Any, ...], Change] = {}
    for c in changes:
        key = (c.resource, c.record_id, c.action, c.after if c.action == "transition" else None)
        if key not in found or (found[key].snapshot is None and c.snapshot is not None):
            found[key] = c  # a dict keeps a key's first place when its value is replaced
    return list(found.values())

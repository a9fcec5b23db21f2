"""Lets hypothesis-jsonschema 0.23.1, its newest release, draw objects on Hypothesis 6.170.10+.

hypothesis-jsonschema draws an object's members with Hypothesis's internal collection helper, in the
loop Hypothesis documented up to 6.170.9::

    elements = cu.many(data, min_size=..., max_size=..., average_size=...)
    while elements.more():
        ...draw one member; elements.reject() if it must go...

Hypothesis 6.170.10 changed ``many`` to ``with cu.many(...) as elements: for _ in elements: ...`` and
removed ``more()``, so every object schema failed with ``AttributeError: 'many' object has no
attribute 'more'``. :func:`install` gives hypothesis-jsonschema (and only it: Hypothesis's own class
is left alone) a subclass of ``many`` whose ``more()`` drives the new iterator. The new ``many``
starts and stops the same spans and draws the same booleans as the old ``more()`` did, so
generation and shrinking behave as before. On a Hypothesis that still has ``more()`` nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis.internal.conjecture import utils as conjecture_utils

_END = object()


def install() -> bool:
    """Give hypothesis-jsonschema a ``many`` with ``more()`` where Hypothesis has none.

    Returns whether the shim is in place. Idempotent. Does nothing when Hypothesis still has
    ``many.more`` (before 6.170.10), or when hypothesis-jsonschema no longer reaches ``many`` through
    its module global ``cu`` (a release written for the new API needs no help).
    """
    from hypothesis_jsonschema import _from_schema

    seen = getattr(_from_schema, "cu", None)
    if isinstance(seen, _UtilsWithOldMany):
        return True
    if hasattr(conjecture_utils.many, "more") or seen is not conjecture_utils:
        return False
    # Monkeypatching by design: the stand-in replaces the module global ``cu``, which
    # hypothesis-jsonschema imports without re-exporting (attr-defined) and whose declared type is
    # the module it replaces (assignment); no annotation can say "an object that looks like it".
    _from_schema.cu = _UtilsWithOldMany()  # type: ignore[attr-defined,assignment]
    return True


class _ManyWithMore(conjecture_utils.many):
    """``many`` with the ``more()`` loop of Hypothesis 6.170.9 and earlier, on top of the new API.

    The first ``more()`` enters the context and starts the iterator; each call takes one step; the
    last one (the iterator is done) exits the context, which checks the loop was well formed.
    hypothesis-jsonschema leaves its loop only when ``more()`` says False or by an exception that
    ends the whole draw, so no other exit needs handling.
    """

    _steps: Iterator[None] | None = None

    def more(self) -> bool:
        """Should I draw another element? (The protocol before 6.170.10.)"""
        # Typed as Any: ``__enter__``/``__iter__`` exist only from 6.170.10, and mypy reads the
        # installed Hypothesis, which may be older (this method is then never called).
        new_many: Any = self
        if self._steps is None:
            new_many.__enter__()
            self._steps = iter(new_many)
        # The iterator yields None per element, so a sentinel tells the end apart.
        if next(self._steps, _END) is _END:
            new_many.__exit__(None, None, None)
            return False
        return True


class _UtilsWithOldMany:
    """``hypothesis.internal.conjecture.utils`` as hypothesis-jsonschema sees it: ``many`` has more()."""

    many = _ManyWithMore

    def __getattr__(self, name: str) -> Any:
        return getattr(conjecture_utils, name)

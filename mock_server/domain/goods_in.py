"""Handlers for this resource family (being built; operations without a handler answer 501)."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable[..., object]] = {}

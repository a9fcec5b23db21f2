"""A full disk, as tests need one: a store whose disk is full for a while, the error SQLite raises
when a write finds no room, a store method that meets it for its first calls, and the log lines
that report it."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from mock_server.store import Store


@contextlib.contextmanager
def no_room(store: Store) -> Iterator[None]:
    """Inside, ``store``'s disk is full: SQLite's own limit on pages, set to the pages it has after
    a VACUUM (no free pages left to write in), refuses new pages as a full disk would."""
    store.db.execute("VACUUM")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    before = store.db.execute("PRAGMA max_page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    try:
        yield
    finally:
        store.db.execute(f"PRAGMA max_page_count = {before}")


def full_disk() -> sqlite3.OperationalError:
    """The exception sqlite3 raises on SQLITE_FULL, with its result code set as sqlite3 sets it."""
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13  # SQLITE_FULL
    return error


class FullFor:
    """``method`` whose first ``times`` calls raise :func:`full_disk`; the later ones call it.
    ``calls`` counts every call. Put it in the place of a store's method."""

    def __init__(self, method: Callable[..., Any], times: int) -> None:
        self.method = method
        self.times = times
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            raise full_disk()
        return self.method(*args)


def full_disk_lines(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """The log records that report the store's full disk."""
    return [r for r in records if "no room left" in r.getMessage()]

"""A full disk, as tests need one: the error SQLite raises when a write finds no room."""

from __future__ import annotations

import sqlite3


def full_disk() -> sqlite3.OperationalError:
    """The exception sqlite3 raises on SQLITE_FULL, with its result code set as sqlite3 sets it."""
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13  # SQLITE_FULL
    return error

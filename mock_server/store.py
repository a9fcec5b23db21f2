"""SQLite state: every record of every tenant, in memory by default or in a file (WAL).

One store serves every interface. A request's writes run in one transaction (:meth:`Store.transaction`),
so a rejected request changes nothing. Records keep their attributes as JSON; ids count per tenant and
resource, like the vendor's.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    tenant TEXT NOT NULL,
    resource TEXT NOT NULL,
    id INTEGER NOT NULL,
    parent_id INTEGER,
    attributes TEXT NOT NULL,
    relationships TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (tenant, resource, id)
);
CREATE INDEX IF NOT EXISTS records_parent ON records (tenant, resource, parent_id, id);
CREATE TABLE IF NOT EXISTS sequences (
    tenant TEXT NOT NULL, resource TEXT NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (tenant, resource)
);
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY, refresh_token TEXT UNIQUE, tenant TEXT NOT NULL,
    client_id TEXT NOT NULL, scope TEXT NOT NULL, created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
"""


_SQLITE_MIN, _SQLITE_MAX = -(2**63), 2**63 - 1


@dataclass
class Record:
    """One stored record."""

    resource: str
    id: int
    attributes: dict[str, Any]
    relationships: dict[str, Any]
    parent_id: int | None = None


class Store:
    """The SQLite database behind the server."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if path:
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside commit together, or none do."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def next_id(self, tenant: str, resource: str) -> int:
        row = self.db.execute(
            "INSERT INTO sequences VALUES (?, ?, 1) ON CONFLICT (tenant, resource) "
            "DO UPDATE SET last = last + 1 RETURNING last",
            (tenant, resource),
        ).fetchone()
        return int(row[0])

    def create_many(
        self, tenant: str, resource: str, rows: list[dict[str, Any]], parent_id: int | None = None
    ) -> list[Record]:
        """Store several new records at once: one id reservation, one batched insert."""
        if not rows:
            return []
        last = self.db.execute(
            "INSERT INTO sequences VALUES (?, ?, ?) ON CONFLICT (tenant, resource) "
            "DO UPDATE SET last = last + excluded.last RETURNING last",
            (tenant, resource, len(rows)),
        ).fetchone()[0]
        first = int(last) - len(rows) + 1
        records = [Record(resource, first + i, row, {}, parent_id) for i, row in enumerate(rows)]
        self.db.executemany(
            "INSERT INTO records (tenant, resource, id, parent_id, attributes, relationships) "
            "VALUES (?, ?, ?, ?, ?, '{}')",
            [(tenant, resource, r.id, parent_id, json.dumps(r.attributes)) for r in records],
        )
        return records

    def insert(self, tenant: str, record: Record) -> Record:
        """Store a record under its own id (fixtures), keeping the id sequence ahead of it."""
        self._insert(tenant, record)
        self.db.execute(
            "INSERT INTO sequences VALUES (?, ?, ?) ON CONFLICT (tenant, resource) "
            "DO UPDATE SET last = max(last, excluded.last)",
            (tenant, record.resource, record.id),
        )
        return record

    def _insert(self, tenant: str, record: Record) -> Record:
        self.db.execute(
            "INSERT INTO records (tenant, resource, id, parent_id, attributes, relationships) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                tenant,
                record.resource,
                record.id,
                record.parent_id,
                json.dumps(record.attributes),
                json.dumps(record.relationships),
            ),
        )
        return record

    def create(
        self,
        tenant: str,
        resource: str,
        attributes: dict[str, Any],
        relationships: dict[str, Any] | None = None,
        parent_id: int | None = None,
    ) -> Record:
        """Store a new record under the next id (the sequence already moved past it)."""
        record = Record(
            resource, self.next_id(tenant, resource), attributes, relationships or {}, parent_id
        )
        return self._insert(tenant, record)

    def exists(self, tenant: str, resource: str, record_id: int) -> bool:
        """Whether the record exists (cheaper than :meth:`get`: nothing is decoded)."""
        if not _SQLITE_MIN <= record_id <= _SQLITE_MAX:
            return False
        row = self.db.execute(
            "SELECT 1 FROM records WHERE tenant = ? AND resource = ? AND id = ?",
            (tenant, resource, record_id),
        ).fetchone()
        return row is not None

    def get(self, tenant: str, resource: str, record_id: int) -> Record | None:
        if not _SQLITE_MIN <= record_id <= _SQLITE_MAX:
            return None  # no record can have an id SQLite cannot store
        row = self.db.execute(
            "SELECT * FROM records WHERE tenant = ? AND resource = ? AND id = ?",
            (tenant, resource, record_id),
        ).fetchone()
        return _record(row) if row else None

    def save(self, tenant: str, record: Record) -> Record:
        self.db.execute(
            "UPDATE records SET attributes = ?, relationships = ?, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
            "WHERE tenant = ? AND resource = ? AND id = ?",
            (
                json.dumps(record.attributes),
                json.dumps(record.relationships),
                tenant,
                record.resource,
                record.id,
            ),
        )
        return record

    def delete(self, tenant: str, resource: str, record_id: int) -> None:
        self.db.execute(
            "DELETE FROM records WHERE tenant = ? AND resource = ? AND id = ?",
            (tenant, resource, record_id),
        )

    def children(self, tenant: str, resource: str, parent_id: int) -> list[Record]:
        rows = self.db.execute(
            "SELECT * FROM records WHERE tenant = ? AND resource = ? AND parent_id = ? ORDER BY id",
            (tenant, resource, parent_id),
        ).fetchall()
        return [_record(r) for r in rows]

    def find(self, tenant: str, resource: str, **where: Any) -> list[Record]:
        """Records whose attributes equal every ``where`` value."""
        if any(isinstance(v, int) and not _SQLITE_MIN <= v <= _SQLITE_MAX for v in where.values()):
            return []  # no stored value can equal an integer SQLite cannot hold
        sql = "SELECT * FROM records WHERE tenant = ? AND resource = ?"
        args: list[Any] = [tenant, resource]
        for key, value in where.items():
            sql += f" AND json_extract(attributes, '$.{key}') IS ?"
            args.append(value)
        return [_record(r) for r in self.db.execute(sql + " ORDER BY id", args).fetchall()]

    def tenants(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT tenant FROM records ORDER BY 1")]

    def clear(self, tenant: str | None = None) -> None:
        for table in ("records", "sequences", "tokens"):
            if tenant is None:
                self.db.execute(f"DELETE FROM {table}")
            else:
                self.db.execute(f"DELETE FROM {table} WHERE tenant = ?", (tenant,))

    def snapshot(self) -> sqlite3.Connection:
        """An in-memory copy of the whole database."""
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with self._lock:
            self.db.backup(copy)
        return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Put a :meth:`snapshot` back, replacing everything."""
        with self._lock:
            snapshot.backup(self.db)


def _record(row: sqlite3.Row) -> Record:
    return Record(
        row["resource"],
        row["id"],
        json.loads(row["attributes"]),
        json.loads(row["relationships"]),
        row["parent_id"],
    )

"""SQLite state: every record of every tenant, in memory by default or in a file (WAL).

One store serves every interface. A request's writes run in one transaction (:meth:`Store.transaction`),
so a rejected request changes nothing. Records keep their attributes as JSON; ids count per tenant and
resource, like the vendor's.

Each (tenant, resource) pair is a *kind* with a small integer key: records are keyed by (kind, id),
integers only, because text keys made inserting a 20-line order three times as slow.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from itertools import chain
from typing import Any

from mock_server.json_text import dumps

_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS kinds (
    kind INTEGER PRIMARY KEY, tenant TEXT NOT NULL, resource TEXT NOT NULL,
    last INTEGER NOT NULL DEFAULT 0,  -- the id sequence: the last id handed out
    UNIQUE (tenant, resource)
);
CREATE TABLE IF NOT EXISTS records (
    kind INTEGER NOT NULL, id INTEGER NOT NULL, parent_id INTEGER,
    attributes TEXT NOT NULL, relationships TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_parent ON records (kind, parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY, refresh_token TEXT UNIQUE, tenant TEXT NOT NULL,
    client_id TEXT NOT NULL, scope TEXT NOT NULL, created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
"""
_SQLITE_MIN, _SQLITE_MAX = -(2**63), 2**63 - 1


class StoreFileError(Exception):
    """A --data file this store cannot use: not SQLite, or written by another schema version."""


@dataclass(slots=True)
class Record:
    """One stored record."""

    resource: str
    id: int
    attributes: dict[str, Any]
    relationships: dict[str, Any]
    parent_id: int | None = None


@dataclass(slots=True)
class Token:
    """One issued OAuth access token (and its refresh token, for the grants that give one)."""

    access_token: str
    refresh_token: str | None
    tenant: str
    client_id: str
    scope: str
    created_at: int
    expires_at: int
    revoked: bool = False


class Store:
    """The SQLite database behind the server."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            raise StoreFileError(f"{path} is not a clarus-mock data file ({exc})") from exc
        self._lock = threading.RLock()
        self._kinds: dict[tuple[str, str], int] = {}
        self._plain = self.db.cursor()  # tuples, not sqlite3.Row: cheaper for id lookups
        self._plain.row_factory = None

    def _open(self) -> None:
        if self.path:
            self.db.execute("PRAGMA journal_mode=WAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        has_tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if has_tables and version != _SCHEMA_VERSION:
            raise StoreFileError(
                f"{self.path} was written by another clarus-mock version (store schema {version}, "
                f"this one reads {_SCHEMA_VERSION}); move it away or pass another --data file"
            )
        self.db.executescript(_SCHEMA)
        self.db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside commit together, or none do."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.db.execute("ROLLBACK")
                self._kinds.clear()  # kinds made inside the transaction are gone
                raise
            self.db.execute("COMMIT")

    def _kind(self, tenant: str, resource: str, make: bool = True) -> int | None:
        """The integer key of (tenant, resource); made on first write, None on a read of nothing."""
        key = (tenant, resource)
        kind = self._kinds.get(key)
        if kind is None:
            row = self.db.execute(
                "SELECT kind FROM kinds WHERE tenant = ? AND resource = ?", key
            ).fetchone()
            if row is None and not make:
                return None
            if row is None:
                row = self.db.execute(
                    "INSERT INTO kinds (tenant, resource) VALUES (?, ?) RETURNING kind", key
                ).fetchone()
            kind = self._kinds[key] = int(row[0])
        return kind

    def _reserve(self, tenant: str, resource: str, count: int) -> tuple[int, int]:
        """The kind and the first of ``count`` new ids."""
        kind = self._kind(tenant, resource)
        last = self.db.execute(
            "UPDATE kinds SET last = last + ? WHERE kind = ? RETURNING last", (count, kind)
        ).fetchone()[0]
        return kind, int(last) - count + 1  # type: ignore[return-value]

    def next_id(self, tenant: str, resource: str) -> int:
        return self._reserve(tenant, resource, 1)[1]

    def create_many(
        self, tenant: str, resource: str, rows: list[dict[str, Any]], parent_id: int | None = None
    ) -> list[Record]:
        """Store several new records at once: one id reservation, one batched insert."""
        if not rows:
            return []
        kind, first = self._reserve(tenant, resource, len(rows))
        records = [Record(resource, first + i, row, {}, parent_id) for i, row in enumerate(rows)]
        self.db.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, '{}')",
            [(kind, r.id, parent_id, dumps(r.attributes)) for r in records],
        )
        return records

    def insert(self, tenant: str, record: Record) -> Record:
        """Store a record under its own id (fixtures), keeping the id sequence ahead of it."""
        kind = self._kind(tenant, record.resource)
        self._insert(kind, record)  # type: ignore[arg-type]
        self.db.execute("UPDATE kinds SET last = max(last, ?) WHERE kind = ?", (record.id, kind))
        return record

    def _insert(self, kind: int, record: Record) -> Record:
        self.db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
            (
                kind,
                record.id,
                record.parent_id,
                dumps(record.attributes),
                dumps(record.relationships),
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
        kind, record_id = self._reserve(tenant, resource, 1)
        record = Record(resource, record_id, attributes, relationships or {}, parent_id)
        return self._insert(kind, record)

    def exists(self, tenant: str, resource: str, record_id: int) -> bool:
        """Whether the record exists (cheaper than :meth:`get`: nothing is decoded)."""
        return bool(self.existing(tenant, {resource: {record_id}}))

    def existing(self, tenant: str, wanted: dict[str, set[int]]) -> set[tuple[str, int]]:
        """The ``(resource, id)`` pairs of ``wanted`` that name a record: one query for them all."""
        resources: dict[int, str] = {}
        pairs: list[tuple[int, int]] = []
        for resource, ids in wanted.items():
            kind = self._kind(tenant, resource, make=False)
            if kind is not None:
                resources[kind] = resource
                pairs.extend((kind, i) for i in ids if _SQLITE_MIN <= i <= _SQLITE_MAX)
        found: set[tuple[str, int]] = set()
        for start in range(0, len(pairs), 500):  # SQLite nests ORs at most 1,000 deep
            part = pairs[start : start + 500]
            sql = " OR ".join(["(kind = ? AND id = ?)"] * len(part))
            args = list(chain.from_iterable(part))
            rows = self._plain.execute(f"SELECT kind, id FROM records WHERE {sql}", args)
            found.update((resources[kind], record_id) for kind, record_id in rows)
        return found

    def get(self, tenant: str, resource: str, record_id: int) -> Record | None:
        kind = self._kind(tenant, resource, make=False)
        if kind is None or not _SQLITE_MIN <= record_id <= _SQLITE_MAX:
            return None  # no record can have an id SQLite cannot store
        row = self.db.execute(
            "SELECT * FROM records WHERE kind = ? AND id = ?", (kind, record_id)
        ).fetchone()
        return _record(resource, row) if row else None

    def first_id(self, tenant: str, resource: str) -> int | None:
        """The lowest id of a resource in the tenant, or None when it has none."""
        kind = self._kind(tenant, resource, make=False)
        row = self.db.execute("SELECT min(id) FROM records WHERE kind = ?", (kind,)).fetchone()
        return row[0]

    def save(self, tenant: str, record: Record) -> Record:
        self.db.execute(
            "UPDATE records SET attributes = ?, relationships = ? WHERE kind = ? AND id = ?",
            (
                dumps(record.attributes),
                dumps(record.relationships),
                self._kind(tenant, record.resource),
                record.id,
            ),
        )
        return record

    def delete(self, tenant: str, resource: str, record_id: int) -> None:
        self.db.execute(
            "DELETE FROM records WHERE kind = ? AND id = ?",
            (self._kind(tenant, resource, make=False), record_id),
        )

    def children(self, tenant: str, resource: str, parent_id: int) -> list[Record]:
        rows = self.db.execute(
            "SELECT * FROM records WHERE kind = ? AND parent_id = ? ORDER BY id",
            (self._kind(tenant, resource, make=False), parent_id),
        ).fetchall()
        return [_record(resource, r) for r in rows]

    def find(self, tenant: str, resource: str, **where: Any) -> list[Record]:
        """Records whose attributes equal every ``where`` value."""
        if any(isinstance(v, int) and not _SQLITE_MIN <= v <= _SQLITE_MAX for v in where.values()):
            return []  # no stored value can equal an integer SQLite cannot hold
        sql = "SELECT * FROM records WHERE kind = ?"
        args: list[Any] = [self._kind(tenant, resource, make=False)]
        for key, value in where.items():
            sql += f" AND json_extract(attributes, '$.{key}') IS ?"
            args.append(value)
        rows = self.db.execute(sql + " ORDER BY id", args).fetchall()
        return [_record(resource, r) for r in rows]

    def add_token(self, token: Token) -> None:
        self.db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, ?)", astuple(token))

    def token(self, access_token: str) -> Token | None:
        """The token with this access token, revoked or not."""
        row = self._plain.execute(
            "SELECT * FROM tokens WHERE access_token = ?", (access_token,)
        ).fetchone()
        return _token(row) if row else None

    def refreshable(self, refresh_token: str, client_id: str) -> Token | None:
        """The unrevoked token of ``client_id`` that this refresh token belongs to."""
        row = self._plain.execute(
            "SELECT * FROM tokens WHERE refresh_token = ? AND client_id = ? AND revoked = 0",
            (refresh_token, client_id),
        ).fetchone()
        return _token(row) if row else None

    def revoke(self, access_token: str) -> None:
        self.db.execute("UPDATE tokens SET revoked = 1 WHERE access_token = ?", (access_token,))

    def tenants(self) -> list[str]:
        sql = "SELECT DISTINCT tenant FROM kinds JOIN records USING (kind) ORDER BY 1"
        return [r[0] for r in self.db.execute(sql)]

    def clear(self, tenant: str | None = None) -> None:
        """Forget every record, id sequence and token (of one tenant, or of all)."""
        where, args = ("", ()) if tenant is None else (" WHERE tenant = ?", (tenant,))
        self.db.execute(f"DELETE FROM records WHERE kind IN (SELECT kind FROM kinds{where})", args)
        self.db.execute(f"DELETE FROM kinds{where}", args)
        self.db.execute(f"DELETE FROM tokens{where}", args)
        self._kinds.clear()

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
            self._kinds.clear()


def _token(row: tuple[Any, ...]) -> Token:
    *fields, revoked = row  # columns in the order of Token's fields
    return Token(*fields, revoked=bool(revoked))


def _record(resource: str, row: sqlite3.Row) -> Record:
    # json, not orjson: orjson reads an integer wider than 64 bits as a float.
    return Record(
        resource,
        row["id"],
        json.loads(row["attributes"]),
        json.loads(row["relationships"]),
        row["parent_id"],
    )

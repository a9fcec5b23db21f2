"""A store without a file keeps a few MiB of pages in memory and the rest in SQLite's temporary
file: whatever spills reads back whole, and a full disk refuses a write without losing or half-
writing anything."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mock_server.store import StorageError, Store
from tests.disk import full_disk, no_room


def _lines(count: int) -> list[dict[str, object]]:
    return [{"product_id": n % 97, "note": f"line {n} " + "x" * 200} for n in range(count)]


def _bytes(store: Store) -> int:
    page_size, pages = (
        store.db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count")
    )
    return int(page_size * pages)


def _rss_mib() -> float:
    text = Path("/proc/self/status").read_text()
    return (
        int(next(line for line in text.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024
    )


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_most_of_a_large_store_is_not_in_the_process_memory() -> None:
    store = Store()
    before = _rss_mib()
    for batch in range(60):  # 60 MB of rows, written a batch at a time
        rows = [{"note": "x" * 1000} for _ in range(1_000)]
        with store.transaction():
            store.create_many("t", "goods_out_lines", rows, parent_id=batch)
    assert _bytes(store) > 60 * 2**20
    assert _rss_mib() - before < 30  # all in memory it grew by about 290 MiB


def test_holds_more_than_its_cache_and_reads_it_back() -> None:
    store = Store(indexes={"goods_out_lines": ("product_id",)})
    cache_kib = -store.db.execute("PRAGMA cache_size").fetchone()[0]
    rows = _lines(30_000)
    with store.transaction():
        store.create_many("t", "goods_out_lines", rows, parent_id=1)
    assert _bytes(store) > 2 * cache_kib * 1024  # most pages live in the file, not the cache
    stored = store.children("t", "goods_out_lines", 1)
    assert [r.attributes for r in stored] == rows
    assert len(store.find("t", "goods_out_lines", product_id=5)) == len(rows[5::97])


def test_snapshot_and_restore_of_a_store_larger_than_its_cache() -> None:
    store = Store()
    rows = _lines(20_000)
    with store.transaction():
        store.create_many("t", "goods_out_lines", rows, parent_id=1)
    snapshot = store.snapshot()
    with store.transaction():
        store.create_many("t", "goods_out_lines", _lines(5), parent_id=2)
    store.restore(snapshot)
    assert store.children("t", "goods_out_lines", 2) == []
    assert [r.attributes for r in store.children("t", "goods_out_lines", 1)] == rows


def test_a_full_disk_refuses_the_whole_transaction_and_the_store_goes_on() -> None:
    store = Store()
    with store.transaction():
        kept = store.create("t", "goods_outs", {"reference": "KEPT"})

    def lost() -> None:
        with store.transaction():
            store.create("t", "goods_outs", {"reference": "LOST"})
            store.create_many("t", "goods_out_lines", _lines(2_000), parent_id=kept.id)

    with no_room(store), pytest.raises(StorageError, match="SQLITE_TMPDIR"):
        lost()
    assert [r.attributes["reference"] for r in store.query("t", "goods_outs")] == ["KEPT"]
    assert store.children("t", "goods_out_lines", kept.id) == []
    with store.transaction():  # room again: ids go on where they were
        again = store.create("t", "goods_outs", {"reference": "AGAIN"})
    assert again.id == kept.id + 1


def test_a_full_disk_outside_a_transaction_is_named_too() -> None:
    store = Store()
    rows = [("y" * 1000,)] * 1000
    store.db.execute("CREATE TABLE filler (x)")
    with no_room(store), pytest.raises(sqlite3.OperationalError, match="full") as raised:
        store.db.executemany("INSERT INTO filler VALUES (?)", rows)
    named = store.storage_error(raised.value)
    assert named is not None
    assert "no room left" in str(named)
    assert "SQLITE_TMPDIR" in str(named)
    assert store.storage_error(ValueError("something else")) is None


def test_where_no_directory_can_be_written_the_store_is_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("mock_server.store.os.access", lambda *args: False)  # a read-only machine
    store = Store()
    assert store.kept_in == "memory"
    rows = _lines(30_000)  # more than the cache of a temporary store
    with store.transaction():
        store.create_many("t", "goods_out_lines", rows, parent_id=1)
    assert [r.attributes for r in store.children("t", "goods_out_lines", 1)] == rows
    assert store.snapshot().execute("PRAGMA cache_size").fetchone()[0] != -4096  # not temporary
    # Nor does SQLite look for a directory for its scratch files (a large copy's journal): 2 is
    # temp_store MEMORY.
    assert store.db.execute("PRAGMA temp_store").fetchone()[0] == 2


def test_a_rollback_forgets_the_tables_it_made_without_reading_them_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store()

    def unreadable() -> set[str]:  # as on a full disk, where reading can fail too
        raise full_disk()

    monkeypatch.setattr(store, "_existing_tables", unreadable)

    def made_then_full() -> None:
        with store.transaction():
            store.create("t", "widgets", {"name": "first"})  # the first: its table is made
            raise full_disk()

    with pytest.raises(StorageError, match="no room left"):
        made_then_full()
    with store.transaction():  # the table was rolled back with the rest: it is made again
        again = store.create("t", "widgets", {"name": "again"})
    assert [r.attributes for r in store.query("t", "widgets")] == [{"name": "again"}]
    assert again.id == 1

"""The minimal create for bench/server.py: the least any server can do for a validated one.

It parses the body, writes the same rows as clarus-mock in one SQLite transaction (the order, its
lines with three indexes, a transition, a floor job and a deflated outbox row) and answers an echo
of the same shape and size (``MINIMAL_ECHO``: a file holding one of clarus-mock's answers), with the
new ids set. No token, no validation, no reference checks, no automations matched: what is left is
the work no shortcut removes while the transaction commits before the answer, the outbox keeps what
it will send, and the answer is the vendor's echo. If this misses a target on Starlette and uvicorn,
clarus-mock cannot meet it there.
"""

from __future__ import annotations

import os
import sqlite3
import time
import zlib
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_ECHO = orjson.loads(Path(os.environ["MINIMAL_ECHO"]).read_bytes())
_DB = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
_DB.executescript(
    """
    CREATE TABLE orders (id INTEGER PRIMARY KEY, attributes TEXT, created_at REAL, updated_at REAL);
    CREATE INDEX orders_updated ON orders (updated_at);
    CREATE TABLE lines (id INTEGER PRIMARY KEY, parent_id INTEGER, product_id INTEGER,
        attributes TEXT, created_at REAL, updated_at REAL);
    CREATE INDEX lines_parent ON lines (parent_id);
    CREATE INDEX lines_updated ON lines (updated_at);
    CREATE INDEX lines_product ON lines (product_id);
    CREATE TABLE transitions (seq INTEGER PRIMARY KEY, id INTEGER, to_status, at REAL);
    CREATE TABLE jobs (id INTEGER PRIMARY KEY, due REAL, payload TEXT);
    CREATE INDEX jobs_due ON jobs (due, id);
    CREATE TABLE deliveries (id INTEGER PRIMARY KEY, record_id INTEGER, body BLOB, state TEXT);
    CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'pending';
    """
)


async def create(request: Request) -> Response:
    order = orjson.loads(await request.body())["data"]
    attributes = order["attributes"]
    lines = attributes.get("lines_changes") or []
    kept = {name: value for name, value in attributes.items() if name != "lines_changes"}
    now = time.time()
    db = _DB
    db.execute("BEGIN IMMEDIATE")
    order_id = db.execute(
        "INSERT INTO orders (attributes, created_at, updated_at) VALUES (?, ?, ?)",
        (orjson.dumps(kept), now, now),
    ).lastrowid
    rows = [
        (order_id, line["attributes"].get("product_id"), orjson.dumps(line["attributes"]), now, now)
        for line in lines
    ]
    values = ", ".join(["(?, ?, ?, ?, ?)"] * len(rows))
    db.execute(
        "INSERT INTO lines (parent_id, product_id, attributes, created_at, updated_at) VALUES "
        + values,
        [value for row in rows for value in row],
    )
    db.execute("INSERT INTO transitions (id, to_status, at) VALUES (?, 1, ?)", (order_id, now))
    db.execute("INSERT INTO jobs (due, payload) VALUES (?, ?)", (now + 30, b'{"id": 1}'))
    echo = dict(_ECHO)
    echo["data"] = dict(echo["data"], id=order_id)
    # The outbox keeps the webhook body (the order and its lines, about 4 KB), deflated as
    # clarus-mock deflates it.
    packer = zlib.compressobj(1, zlib.DEFLATED, 12, 4)
    packed = packer.compress(orjson.dumps(order)) + packer.flush()
    db.execute(
        "INSERT INTO deliveries (record_id, body, state) VALUES (?, ?, 'recorded')",
        (order_id, packed),
    )
    db.execute("COMMIT")
    return Response(orjson.dumps(echo), 201, media_type="application/vnd.api+json")


app = Starlette(routes=[Route("/api/goods_outs", create, methods=["POST"])])

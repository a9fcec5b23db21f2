"""One corpus of bytes through ``clarus-mock check``, ``contracts`` and the server: the same verdict.

Each entry is read by all three: not JSON (check exit 2, server 400), breaks the contract (exit 1,
422 with the same pointers and rules) or accepted (exit 0, 2xx), warnings included and equal.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from contracts import NotJsonError, read_json, validate_document
from mock_server.cli import main
from tests.api import SERVER_TESTS, Api

pytestmark = SERVER_TESTS

PRODUCT = b'{"data": {"type": "products", "attributes": {"description": "Tee", "stock_unit_type_id": 1%s}}}'


def product(extra: bytes = b"") -> bytes:
    return PRODUCT % extra


CORPUS: list[tuple[str, str, bytes]] = [
    ("clean", "products.create", product()),
    ("id-as-string", "products.create", product(b', "integer1": 5, "stock_unit_type_id": "1"')),
    ("empty-string", "products.create", product(b', "barcode": ""')),
    ("duplicate-key", "products.create", product(b', "description": "Tee 2"')),
    ("float-id", "products.create", product(b', "obsolete": 2.0')),
    ("unknown-field", "products.create", product(b', "sku": "TEE-1"')),
    ("wrong-type", "products.create", product(b', "shelf_life_min": "thirty"')),
    ("not-finite", "products.create", product(b', "specific_gravity": 1E400')),
    ("lone-surrogate", "products.create", product(b', "barcode": "\\ud800"')),
    ("vendor-contradiction", "products.create", product(b', "country_of_manufacture": "<string>"')),
    ("bom", "products.create", b"\xef\xbb\xbf" + product()),
    ("nan", "products.create", product(b', "specific_gravity": NaN')),
    ("empty", "products.create", b""),
    ("not-utf8", "products.create", product(b', "barcode": "\xff"')),
    ("truncated", "products.create", product()[:-3]),
    ("not-an-object", "products.create", b"[1, 2]"),
    ("empty-ids", "goods_out_processes.process_picks_async", b'{"ids": []}'),
    ("string-ids", "goods_out_processes.process_picks_async", b'{"ids": ["1"]}'),
    ("ids-ok", "goods_out_processes.process_picks_async", b'{"ids": [2]}'),
]
PATHS = {
    "products.create": "/api/products",
    "goods_out_processes.process_picks_async": "/api/goods_out_processes/process_picks_async",
}


def _library(operation: str, raw: bytes) -> tuple[str, list[tuple[str, str, str]]]:
    try:
        document = read_json(raw)
    except NotJsonError:
        return "not_json", []
    if not isinstance(document.value, dict):
        return "not_json", []  # check refuses a non-object as input; the server answers 422
    violations = validate_document(operation, document)
    verdict = "refused" if any(v.severity == "error" for v in violations) else "accepted"
    return verdict, sorted((v.pointer, v.rule, v.severity) for v in violations)


def _check(
    operation: str, raw: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, list[tuple[str, str, str]]]:
    path = tmp_path / "payload.json"
    path.write_bytes(raw)
    code = main(["check", "--format", "json", "--operation", operation, str(path)])
    report = json.loads(capsys.readouterr().out)
    verdict = {0: "accepted", 1: "refused", 2: "not_json"}[code]
    found = [v for result in report["results"] for v in result["violations"]]
    return verdict, sorted((v["pointer"], v["rule"], v["severity"]) for v in found)


def _server(api: Api, operation: str, raw: bytes) -> tuple[str, list[tuple[str, str, str]]]:
    r = api.http.post(
        PATHS[operation],
        content=raw,
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    if r.status_code == 400:
        return "not_json", []
    entry = api.journal()[0]
    found = sorted((v["pointer"], v["rule"], v["severity"]) for v in entry["violations"])
    if r.status_code == 422:
        errors = sorted(
            (e["source"]["pointer"], e["meta"]["rule"], e["meta"]["severity"])
            for e in r.json()["errors"]
        )
        assert errors == found
        return "refused", found
    assert r.status_code in (200, 201), r.text
    return "accepted", found


@pytest.mark.parametrize(
    ("operation", "raw"), [(o, r) for _, o, r in CORPUS], ids=[n for n, _, _ in CORPUS]
)
def test_check_library_and_server_agree(
    api: Api,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    operation: str,
    raw: bytes,
) -> None:
    library = _library(operation, raw)
    if raw.strip().startswith(b"["):
        # Not an object: check cannot read it as a payload (exit 2); the server says 422 at "".
        assert _check(operation, raw, tmp_path, capsys)[0] == "not_json"
        verdict, found = _server(api, operation, raw)
        assert (verdict, [p for p, _, _ in found]) == ("refused", [""])
        return
    assert _check(operation, raw, tmp_path, capsys) == library
    assert _server(api, operation, raw) == library


def test_the_corpus_covers_every_verdict() -> None:
    verdicts = {_library(o, r)[0] for _, o, r in CORPUS}
    assert verdicts == {"accepted", "refused", "not_json"}


def test_a_gzip_body_gets_the_verdict_of_its_bytes(api: Api) -> None:
    raw = product(b', "sku": "TEE-1"')
    r = api.http.post(
        "/api/products",
        content=gzip.compress(raw),
        headers={**api.headers(), "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert r.status_code == 422
    assert [(e["source"]["pointer"], e["meta"]["rule"]) for e in r.json()["errors"]] == [
        ("/data/attributes/sku", "unknown_field")
    ]

"""``clarus-mock check``: exit codes, formats and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from mock_server.cli import main

GOOD = {
    "data": {
        "type": "goods_outs",
        "attributes": {
            "goods_out_type": "work_order",
            "account_id": 1,
            "warehouse_id": 1,
            "reference": "WO-1",
            "expected_date_of_dispatch": "2026-01-20T10:00:00Z",
        },
    }
}
BAD = {
    "data": {
        "type": "goods_outs",
        "attributes": {**GOOD["data"]["attributes"], "account_id": "one"},
    }
}


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(
            content if isinstance(content, str) else json.dumps(content), encoding="utf-8"
        )
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(write(tmp_path, "ok.json", GOOD)))
    assert code == 0
    assert "ok (detected goods_outs.create)" in out
    assert "1 payload(s): 1 clean, 0 failing" in out


def test_violation_line_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.json", BAD)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert f"{path}:/data/attributes/account_id: expected integer, got string [type]" in out
    assert "curl -sS -X POST 'http://127.0.0.1:8765/api/goods_outs'" in out
    assert f"--data-binary @{path}" in out


def test_jsonl_reports_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path, "orders.jsonl", "\n".join(json.dumps(p) for p in (GOOD, BAD, GOOD)) + "\n"
    )
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert f"{path}:2:/data/attributes/account_id" in out
    assert f"sed -n 2p {path}" in out
    assert "3 payload(s): 2 clean, 1 failing" in out


def test_folder_and_explicit_operation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.json", {"ids": [1, 2], "description": "damaged"})
    write(tmp_path, "notes.txt", "ignored")
    code, out, _ = run(capsys, "check", "--operation", "stocks.release", str(tmp_path))
    assert code == 0
    assert "as stocks.release" in out


def test_request_records_carry_their_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = {
        "method": "PATCH",
        "path": "/api/v1/goods_outs/7",
        "body": {"data": {"type": "goods_outs", "attributes": {}}},
    }
    code, out, _ = run(
        capsys, "check", str(write(tmp_path, "journal.jsonl", json.dumps(record) + "\n"))
    )
    assert code == 0
    assert "goods_outs.update" in out


@pytest.mark.parametrize("path", ["/api/tasks/abc", "/api/products/1;rm -rf ~"])
def test_a_record_whose_path_the_server_would_not_route_is_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    # Path parameters are record ids, whole numbers, as the server routes them.
    record = {"method": "PATCH", "path": path, "body": {}}
    code, out, err = run(
        capsys, "check", str(write(tmp_path, "journal.jsonl", json.dumps(record) + "\n"))
    )
    assert code == 2
    assert "no operation serves" in out + err


def test_max_bytes_must_be_above_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--max-bytes", "-1", "x.json"])
    assert exited.value.code == 2
    assert "-1 is not above 0" in capsys.readouterr().err


def test_warning_passes_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = {
        "data": {"type": "goods_outs", "attributes": {**GOOD["data"]["attributes"], "notes": ""}}
    }
    path = str(write(tmp_path, "w.json", payload))
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert "warning: `notes` is an empty string [empty_string]" in out
    assert run(capsys, "check", "--strict", path)[0] == 1


def test_an_id_sent_as_a_string_is_a_warning_and_an_error_under_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quoted = {
        "data": {**GOOD["data"], "attributes": {**GOOD["data"]["attributes"], "account_id": "1"}}
    }
    path = str(write(tmp_path, "quoted.json", quoted))
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert "warning: the id '1' is a string; request bodies take integer ids [id_as_string]" in out
    assert run(capsys, "check", "--strict", path)[0] == 1


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(write(tmp_path, "bad.json", BAD)))
    body = json.loads(out)
    assert code == 1
    assert body["summary"]["failed"] == 1
    assert body["results"][0]["violations"][0]["rule"] == "type"


def test_junit_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.xml"
    code, _, _ = run(
        capsys,
        "check",
        "--format",
        "junit",
        "--output",
        str(report),
        str(write(tmp_path, "bad.json", BAD)),
        str(write(tmp_path, "ok.json", GOOD)),
        str(write(tmp_path, "broken.json", "{")),
    )
    assert code == 2
    root = ET.parse(report).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("type") == "type"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"data": {"type": "goods_outs",\n  "attributes": {,}}}',
            "not JSON: expecting property name enclosed in double quotes at line 2 column 18",
        ),
        (b"\xff\xfe{}", "not UTF-8: byte 0xff at line 1"),
        ("", "empty input"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"ids": [1]}', "fits"),
        ('{"data": {"type": "nope", "attributes": {}}}', "no operation takes data.type 'nope'"),
        ('{"ids": [1], "weight": NaN}', "NaN is not a JSON value"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, message: str
) -> None:
    code, out, _ = run(capsys, "check", str(write(tmp_path, "in.json", content)))
    assert code == 2
    assert message in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("document", "message"),
    [([1], "got an array"), ("x", "got a str"), (None, "got a NoneType")],
)
def test_non_object_document_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, message: str
) -> None:
    path = write(tmp_path, "a.json", json.dumps(document))
    code, out, _ = run(capsys, "check", "-o", "goods_outs.create", str(path))
    assert code == 2
    assert f"expected a JSON object (one payload), {message}" in out


def test_deep_document_that_parses_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = '{"a":' * 500 + "1" + "}" * 500
    code, out, _ = run(
        capsys, "check", "-o", "goods_outs.create", str(write(tmp_path, "deep.json", deep))
    )
    assert code == 2
    assert "nested over 32 levels deep" in out


def test_large_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 2
    assert "file is 50.0 MiB, over the 10.0 MiB limit" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["check", "--operation", "goods_out.create", "x.json"],
            "unknown operation 'goods_out.create'; did you mean goods_outs.create",
        ),
        (["check"], "give one or more FILE"),
    ],
)
def test_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "/nonexistent/x.json")
    assert code == 2
    assert "no such file or folder" in out


def test_list_operations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--list")
    assert code == 0
    assert "goods_outs.create" in out
    assert "/api/goods_outs" in out


def test_stdin_jsonl_and_openapi_as_subprocesses(tmp_path: Path) -> None:
    lines = (json.dumps(GOOD) + "\n" + json.dumps(BAD) + "\n").encode()
    done = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "check", "-"],
        input=lines,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert b"<stdin>:2:/data/attributes/account_id" in done.stdout
    spec = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "openapi"], capture_output=True, check=True
    )
    assert json.loads(spec.stdout)["openapi"] == "3.1.0"


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/api/v1/goods_outs/7", "http://mock.test:9000/api/v1/goods_outs/7"),
        ("/goods_outs/7", "http://mock.test:9000/api/goods_outs/7"),  # the server needs /api
    ],
)
def test_reproduce_line_uses_the_records_route_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, url: str
) -> None:
    body = {"data": {"type": "goods_outs", "attributes": {"sku": "TEE-1"}}}  # an unknown field
    record = {"method": "patch", "path": path, "body": body}
    file = write(tmp_path, "journal.jsonl", json.dumps(record) + "\n")
    code, out, _ = run(capsys, "check", "--url", "http://mock.test:9000/", str(file))
    assert code == 1
    assert f"curl -sS -X PATCH '{url}' -H \"Authorization: Bearer $TOKEN\"" in out
    assert f"--data '{json.dumps(body, separators=(',', ':'))}'" in out

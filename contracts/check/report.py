"""Check payloads and render the results as text, JSON or JUnit XML."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from contracts.check.inputs import InputError, Payload
from contracts.registry import get_operation
from contracts.validate import detect_operation, validate
from contracts.violations import ContractError, Violation

DEFAULT_BASE = "http://127.0.0.1:8765"
# Double quotes for the token, so the shell puts in $TOKEN; the subdomain is the default pack's tenant.
_HEADERS = (
    "-H \"Authorization: Bearer $TOKEN\" -H 'X-Clarus-Subdomain: demo' "
    "-H 'Content-Type: application/json'"
)
# Longest body written into the line itself: Linux refuses one command-line argument over 128 KiB.
_INLINE_MAX = 64 * 1024
# Prints the body of the request record on stdin, for records too long to write inline.
_RECORD_BODY = "python3 -c 'import json,sys; json.dump(json.load(sys.stdin)[\"body\"], sys.stdout)'"


@dataclass
class CheckResult:
    """The outcome for one payload, or for input that could not be read."""

    source: str
    operation: str | None = None
    detected: bool = False
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None
    payload: Payload | None = None

    def failed(self, strict: bool) -> bool:
        """Whether this payload breaks the contract (warnings count under ``strict``)."""
        return any(v.severity == "error" or strict for v in self.violations)


def check_payloads(
    items: Iterable[Payload | InputError], operation: str | None = None
) -> list[CheckResult]:
    """Validate each payload against the named operation, or the one detected from it."""
    if operation is not None:
        get_operation(operation)  # fail at once on an unknown name
    results = []
    for item in items:
        if isinstance(item, InputError):
            results.append(CheckResult(item.source, error=item.message))
            continue
        results.append(_check_one(item, operation))
    return results


def _check_one(item: Payload, operation: str | None) -> CheckResult:
    name = operation or item.operation
    try:
        op = get_operation(name) if name else detect_operation(item.body, item.method, item.path)
    except ContractError as exc:
        return CheckResult(item.source, error=f"{exc} (pass --operation)", payload=item)
    return CheckResult(
        item.source,
        op.name,
        detected=name is None,
        violations=[*item.warnings, *validate(op, item.body)],
        payload=item,
    )


def exit_code(results: list[CheckResult], strict: bool = False) -> int:
    """2 when any input was unreadable, 1 on violations, 0 when every payload is clean."""
    if any(r.error for r in results) or not results:
        return 2
    return 1 if any(r.failed(strict) for r in results) else 0


def render(
    results: list[CheckResult], fmt: str, strict: bool = False, base_url: str = DEFAULT_BASE
) -> str:
    """The report in ``text``, ``json`` or ``junit`` format; text replays failures at ``base_url``."""
    if fmt == "text":
        return _text(results, strict, base_url)
    return {"json": _json, "junit": _junit}[fmt](results, strict)


def _counts(results: list[CheckResult], strict: bool) -> dict[str, int]:
    violations = [v for r in results for v in r.violations]
    return {
        "payloads": sum(1 for r in results if not r.error),
        "clean": sum(1 for r in results if not r.error and not r.failed(strict)),
        "failed": sum(1 for r in results if r.failed(strict)),
        "unreadable": sum(1 for r in results if r.error),
        "errors": sum(1 for v in violations if v.severity == "error"),
        "warnings": sum(1 for v in violations if v.severity == "warning"),
    }


def _text(results: list[CheckResult], strict: bool, base_url: str) -> str:
    lines = []
    for r in results:
        if r.error:
            lines.append(f"{r.source}: cannot check: {r.error}")
            continue
        how = "detected" if r.detected else "as"
        verdict = "FAIL" if r.failed(strict) else "ok"
        lines.append(f"{r.source}: {verdict} ({how} {r.operation})")
        for v in r.violations:
            label = "warning: " if v.severity == "warning" else ""
            hint = f" ({v.hint})" if v.hint else ""
            lines.append(f"{r.source}:{v.pointer or '/'}: {label}{v.message} [{v.rule}]{hint}")
        if r.failed(strict) and r.payload is not None:
            lines.append(f"  reproduce: {_reproduce(r, base_url)}")
    c = _counts(results, strict)
    lines.append(
        f"{c['payloads']} payload(s): {c['clean']} clean, {c['failed']} failing "
        f"({c['errors']} error(s), {c['warnings']} warning(s)), {c['unreadable']} unreadable"
    )
    return "\n".join(lines) + "\n"


def _reproduce(result: CheckResult, base_url: str = DEFAULT_BASE) -> str:
    """A shell line that sends the checked body to a clarus-mock at ``base_url`` (with ``$TOKEN``).

    A request record's own method and path are used, so its real ids appear instead of ``<id>``.
    """
    op = get_operation(result.operation or "")
    item = result.payload
    assert item is not None
    method = (item.method or op.method).upper()
    path = _record_path(item.path, op.prefix) or (
        op.prefix + op.path.replace("{", "<").replace("}", ">")
    )
    curl = f"curl -sS -X {method} {_single_quoted(base_url.rstrip('/') + path)} {_HEADERS}"
    stdin = item.file == "<stdin>"
    if item.verbatim and not stdin:
        # The file, or its line, is the body: send its bytes as they are (--data would drop the
        # line breaks of a file).
        if item.line is None:
            return f"{curl} --data-binary @{shlex.quote(item.file)}"
        return f"sed -n {item.line}p {shlex.quote(item.file)} | {curl} --data-binary @-"
    # A record's body, or stdin that is gone by now: the compact body in the line itself.
    body = json.dumps(item.body, ensure_ascii=False, separators=(",", ":"))
    if len(body.encode()) <= _INLINE_MAX:
        return f"{curl} --data {shlex.quote(body)}"
    if item.verbatim:  # a long payload from stdin: pipe it in again
        return f"{curl} --data-binary @-"
    if stdin:  # a long record from stdin: pipe the record in again
        return f"{_RECORD_BODY} | {curl} --data-binary @-"
    source = shlex.quote(item.file)
    if item.line is None:
        return f"{_RECORD_BODY} < {source} | {curl} --data-binary @-"
    return f"sed -n {item.line}p {source} | {_RECORD_BODY} | {curl} --data-binary @-"


def _record_path(path: str | None, prefix: str) -> str | None:
    """A record's path as it goes after the base URL (a whole URL keeps its path and query).

    Records may leave out the ``/api`` prefix (operations are detected without it); the server
    needs it.
    """
    if not path:
        return None
    parts = urlsplit(path)
    path = "/" + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        path = prefix + path
    return path


def _single_quoted(text: str) -> str:
    """``text`` in single quotes for a POSIX shell, always quoted so `<id>` stays literal."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _json(results: list[CheckResult], strict: bool) -> str:
    body = {
        "results": [
            {
                "source": r.source,
                "operation": r.operation,
                "ok": not r.error and not r.failed(strict),
                "error": r.error,
                "violations": [v.to_dict() for v in r.violations],
            }
            for r in results
        ],
        "summary": _counts(results, strict),
    }
    return json.dumps(body, indent=2, default=repr) + "\n"


def _junit(results: list[CheckResult], strict: bool) -> str:
    c = _counts(results, strict)
    suites = ET.Element("testsuites", name="clarus-mock check")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="contract",
        tests=str(len(results)),
        failures=str(c["failed"]),
        errors=str(c["unreadable"]),
    )
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=r.operation or "unreadable", name=r.source
        )
        if r.error:
            ET.SubElement(case, "error", message=r.error).text = r.error
        elif r.failed(strict):
            first = r.violations[0]
            node = ET.SubElement(case, "failure", message=first.render(), type=first.rule)
            node.text = "\n".join(v.render() for v in r.violations)
        elif r.violations:
            ET.SubElement(case, "system-out").text = "\n".join(v.render() for v in r.violations)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )

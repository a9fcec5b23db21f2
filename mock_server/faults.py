"""Fault rules: what ``/__mock/faults`` holds, how a rule is read, and which rule a request meets.

A rule names the requests it applies to (a glob on the path, maybe a method and a tenant) and what
happens to them (an error answer, added latency, a dropped connection, a request held until the
client gives up), for the next ``times`` of them or a seeded ``fraction``. The middleware in
:mod:`mock_server.fault_injection` carries the effects out; this module only decides.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from contracts.names import nearest

STATUSES = (429, 500, 502, 503, 504)
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# 429 and 503 are the statuses that tell a client to come back later, so they say when by default.
DEFAULT_RETRY_AFTER = {429: 1, 503: 1}
TIMEOUT_CAP_S = 60.0  # how long "timeout": true holds a request whose client never gives up
MAX_LATENCY_MS = 600_000
MAX_RETRY_AFTER_S = 86_400
MAX_RULES = 1000  # a runaway test loop adding rules must not grow the server without bound

MEMBERS = (
    "method",
    "path",
    "tenant",
    "respond",
    "latency_ms",
    "drop",
    "timeout",
    "times",
    "fraction",
    "seed",
)
RESPOND_MEMBERS = ("status", "retry_after")
EFFECTS = ("respond", "latency_ms", "drop", "timeout")
# Prefixes a fault can apply to; /__mock is absent on purpose, so a test can always clean up.
FAULTABLE = ("/api", "/graphql", "/oauth")


class FaultError(ValueError):
    """A rule the server refuses; the message names the member and the values it takes."""


@dataclass(eq=False)  # compared by identity: two rules alike are still two rules
class Rule:
    """One fault rule, as read by :func:`parse_rule`, with how often it fired."""

    id: int
    path: str  # the glob as given
    method: str | None = None
    tenant: str | None = None
    status: int | None = None
    retry_after: int | None = None
    latency_ms: float | None = None
    drop: bool = False
    timeout_s: float | None = None
    timeout_given: Any = None  # true or the seconds, shown back as given
    times: int | None = None
    fraction: float | None = None
    seed: int | None = None
    fired: int = 0
    glob: str = ""  # the path glob in canonical form (see canonical_path)
    rng: random.Random | None = field(default=None, repr=False)

    @property
    def spent(self) -> bool:
        """Whether the rule has fired its ``times`` and no longer applies."""
        return self.times is not None and self.fired >= self.times

    def applies(self, method: str, path: str) -> bool:
        """Whether the rule names this method and (canonical) path; tenant and share come later."""
        return (self.method is None or self.method == method) and fnmatchcase(path, self.glob)

    def to_dict(self) -> dict[str, Any]:
        """The rule as ``GET /__mock/faults`` lists it: the members given (with their defaults),
        ``fired`` and ``spent``."""
        shown: dict[str, Any] = {"id": self.id, "path": self.path}
        if self.method is not None:
            shown["method"] = self.method
        if self.tenant is not None:
            shown["tenant"] = self.tenant
        if self.status is not None:
            respond: dict[str, Any] = {"status": self.status}
            if self.retry_after is not None:
                respond["retry_after"] = self.retry_after
            shown["respond"] = respond
        if self.latency_ms is not None:
            shown["latency_ms"] = self.latency_ms
        if self.drop:
            shown["drop"] = True
        if self.timeout_s is not None:
            shown["timeout"] = self.timeout_given
        if self.times is not None:
            shown["times"] = self.times
        if self.fraction is not None:
            shown.update(fraction=self.fraction, seed=self.seed)
        shown.update(fired=self.fired, spent=self.spent)
        return shown


def canonical_path(path: str) -> str:
    """The path rules match against: ``/api/v1/...`` is ``/api/...`` (the vendor's pages show both,
    and the server serves both), and a trailing slash is dropped (the same route)."""
    if path == "/api/v1" or path.startswith("/api/v1/"):
        path = "/api" + path[len("/api/v1") :]
    return path.rstrip("/") or "/"


def faultable(path: str) -> bool:
    """Whether requests to ``path`` may be faulted: under /api, /graphql or /oauth, never /__mock."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in FAULTABLE)


def parse_rule(body: dict[str, Any], rule_id: int, tenants: Collection[str]) -> Rule:
    """Read a rule from a ``POST /__mock/faults`` body.

    ``tenants`` are the server's tenants (the pack's and those made at run time), the only
    values ``tenant`` takes. Raises :class:`FaultError` naming the first bad member and the
    values it takes.
    """
    for name in body:
        if name not in MEMBERS:
            raise FaultError(_unknown(name, MEMBERS, "a rule"))
    rule = Rule(id=rule_id, path=_path(body.get("path")))
    rule.glob = canonical_path(rule.path)
    if body.get("method") is not None:
        rule.method = _method(body["method"])
    if body.get("tenant") is not None:
        rule.tenant = _tenant(body["tenant"], tenants)
    if body.get("respond") is not None:
        rule.status, rule.retry_after = _respond(body["respond"])
    if body.get("latency_ms") is not None:
        rule.latency_ms = _number(
            "latency_ms", body["latency_ms"], 0, MAX_LATENCY_MS, "milliseconds"
        )
    rule.drop = _flag("drop", body.get("drop", False))
    if body.get("timeout") not in (None, False):
        rule.timeout_given = body["timeout"]
        rule.timeout_s = _timeout(body["timeout"])
    if body.get("times") is not None:
        rule.times = _whole(
            "times", body["times"], 1, 1_000_000, "the requests to fault, 1 to 1000000"
        )
    if body.get("fraction") is not None:
        rule.fraction = _number("fraction", body["fraction"], 0, 1, "a share")
        seed = body.get("seed")
        rule.seed = 0 if seed is None else _whole("seed", seed, -(2**63), 2**63 - 1, "any integer")
        # Each rule draws from its own generator, so the same seed and the same order of matching
        # requests pick the same requests, whatever other rules do.
        rule.rng = random.Random(rule.seed)
    elif body.get("seed") is not None:
        raise FaultError('seed goes with fraction: {"fraction": 0.3, "seed": 7}')
    answers = [name for name, on in _answers(rule).items() if on]
    if len(answers) > 1:
        raise FaultError(
            f"{' and '.join(answers)} exclude each other: a request gets one answer "
            "(respond answers with an error, drop cuts the connection, timeout holds it)"
        )
    if not answers and rule.latency_ms is None:
        raise FaultError(
            "a rule needs at least one of respond, latency_ms, drop, timeout: "
            'e.g. {"path": "/api/goods_outs*", "respond": {"status": 503}}'
        )
    return rule


def _answers(rule: Rule) -> dict[str, bool]:
    return {
        "respond": rule.status is not None,
        "drop": rule.drop,
        "timeout": rule.timeout_s is not None,
    }


def _unknown(name: str, known: tuple[str, ...], where: str) -> str:
    near = nearest(str(name), list(known), limit=1, cutoff=0.5)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    if where == "a rule" and name in RESPOND_MEMBERS:
        hint = f'; {name} goes inside respond: {{"respond": {{"{name}": ...}}}}'
    return f"unknown member {name!r} in {where}{hint} ({where} takes {', '.join(known)})"


def _path(value: Any) -> str:
    example = 'a glob on the request path, such as "/api/goods_outs*"'
    if value is None:
        raise FaultError(f"path is required: {example}")
    if not isinstance(value, str) or not value.startswith(("/", "*")):
        raise FaultError(f"path must be {example} (starting with / or *), not {value!r}")
    if value.startswith("/__mock"):
        raise FaultError(
            "path: /__mock is never faulted; name a path under /api, /graphql or /oauth"
        )
    if len(value) > 1000:
        raise FaultError("path is at most 1000 characters")
    return value


def _method(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise FaultError(f"method must be one of {', '.join(METHODS)}, not {value!r}")
    return value.upper()


def _tenant(value: Any, tenants: Collection[str]) -> str:
    if not isinstance(value, str) or value not in tenants:
        near = nearest(str(value), list(tenants), limit=1, cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise FaultError(
            f"tenant must be one of the server's tenants ({', '.join(tenants)}), "
            f"not {value!r}{hint}"
        )
    return value


def _respond(value: Any) -> tuple[int, int | None]:
    if not isinstance(value, dict):
        raise FaultError(f'respond must be an object such as {{"status": 503}}, not {value!r}')
    for name in value:
        if name not in RESPOND_MEMBERS:
            raise FaultError(_unknown(name, RESPOND_MEMBERS, "respond"))
    status = value.get("status")
    allowed = ", ".join(map(str, STATUSES))
    if status is None:
        raise FaultError(f"respond.status is required: one of {allowed}")
    if isinstance(status, bool) or not isinstance(status, int | float) or status not in STATUSES:
        raise FaultError(f"respond.status must be one of {allowed}, not {status!r}")
    retry_after = value.get("retry_after")
    if retry_after is None:
        return int(status), DEFAULT_RETRY_AFTER.get(int(status))
    return int(status), _whole(
        "respond.retry_after",
        retry_after,
        0,
        MAX_RETRY_AFTER_S,
        f"seconds from 0 to {MAX_RETRY_AFTER_S}",
    )


def _timeout(value: Any) -> float:
    if value is True:
        return TIMEOUT_CAP_S
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise FaultError(
            f"timeout must be true (hold the request until the client gives up, at most "
            f"{TIMEOUT_CAP_S:g} s) or the seconds to hold it, more than 0 and at most 600, "
            f"not {value!r}"
        )
    return float(value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FaultError(f"{name} must be true or false, not {value!r}")
    return value


def _number(name: str, value: Any, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise FaultError(
            f"{name} must be a number from {low:g} to {high:g} ({unit}), not {value!r}"
        )
    return value


def _whole(name: str, value: Any, low: int, high: int, what: str) -> int:
    whole = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and float(value).is_integer()
        and low <= value <= high
    )
    if not whole:
        raise FaultError(f"{name} must be a whole number, {what}, not {value!r}")
    return int(value)


@dataclass
class Faults:
    """One server's fault rules, in the order they were added (the first that applies wins)."""

    rules: list[Rule] = field(default_factory=list)
    next_id: int = 1  # ids are not reused after a delete or a reset, so a journal entry stays clear
    # Requests may be served from more than one thread (a TestClient without a portal of its own);
    # one lock makes a rule's draw, count and spending one step.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, body: dict[str, Any], tenants: Collection[str]) -> Rule:
        """Read and keep a rule (raises :class:`FaultError` for a bad one, or one too many)."""
        with self.lock:
            if len(self.rules) >= MAX_RULES:
                raise FaultError(f"at most {MAX_RULES} rules; DELETE /__mock/faults clears them")
            rule = parse_rule(body, self.next_id, tenants)
            self.next_id += 1
            self.rules.append(rule)
            return rule

    def remove(self, rule_id: int) -> bool:
        """Drop one rule; False when there is none of that id."""
        with self.lock:
            kept = [r for r in self.rules if r.id != rule_id]
            found = len(kept) != len(self.rules)
            self.rules = kept
            return found

    def clear(self) -> list[int]:
        """Drop every rule; the ids dropped."""
        with self.lock:
            ids = [r.id for r in self.rules]
            self.rules = []
            return ids

    def candidates(self, method: str, path: str) -> list[Rule]:
        """The unspent rules that name this method and path (``path`` as the request has it)."""
        path = canonical_path(path)
        return [r for r in self.rules if not r.spent and r.applies(method, path)]

    def fire(self, candidates: list[Rule], tenant: str | None) -> Rule | None:
        """The first candidate that applies to a request of ``tenant`` (and draws it, for a
        ``fraction`` rule), counted as fired; None when none does.

        Every ``fraction`` rule that applies draws, even when a rule before it fires, so a rule's
        draws follow the order of the requests it matches and nothing else. A rule whose draw
        passes the request by leaves it to the rules after it.
        """
        with self.lock:
            chosen: Rule | None = None
            for rule in candidates:
                if rule.spent or rule not in self.rules:  # spent or deleted since the lookup
                    continue
                if rule.tenant is not None and rule.tenant != tenant:
                    continue
                drawn = rule.rng is None or rule.rng.random() < (rule.fraction or 0)
                if drawn and chosen is None:
                    chosen = rule
            if chosen is not None:
                chosen.fired += 1
            return chosen

"""One virtual clock per tenant: ``realtime`` (with a speed), ``instant`` or ``manual``.

A clock is an anchor: at wall time ``anchor_wall`` the tenant's time was ``anchor``. ``realtime`` and
``instant`` clocks run from there at ``speed`` virtual seconds per wall second; a ``manual`` clock
stands at its anchor until it is advanced or set. ``instant`` differs from ``realtime`` only in what
the floor does: every step that falls due runs at once, the clock jumping forward to it.

The state lives in the store, so with ``--data`` a ``realtime`` clock goes on after a restart from
wall time plus its offset, and a ``manual`` one from where it stood. Every time the server writes
(``created_at``, ``updated_at``, token expiry, ``actual_date_of_dispatch``, delivery due times) is
the tenant's time.

Every tenant's time stays between :data:`EARLIEST` (1970-01-01T00:00:00Z) and :data:`LATEST`
(9999-12-31T00:00:00Z), so every time the server writes has a four-digit year (RFC 3339). The last
day of 9999 is kept free for what is due after the clock's time: a delivery retry (at most 5 min)
or a token's expiry. Setting or advancing a clock outside the range is refused and leaves it as it
was; a running clock that reaches ``LATEST`` stands there, and floor steps due after it never come
due.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, TypeGuard

from mock_server.store import ClockState, Store

log = logging.getLogger("clarus_mock.clock")

Mode = Literal["instant", "realtime", "manual"]
MODES: tuple[Mode, ...] = ("instant", "realtime", "manual")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$")
_UNIT = {"ms": 0.001, "s": 1, None: 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
EARLIEST = 0.0
"""1970-01-01T00:00:00Z: no tenant's clock goes earlier."""
LATEST = datetime(9999, 12, 31, tzinfo=UTC).timestamp()
"""9999-12-31T00:00:00Z: no tenant's clock goes later (the last day is left for retries)."""
MAX_SPEED = 1_000_000.0
"""The fastest a clock runs: a million virtual seconds (11.6 days) per real second."""


class ClockError(ValueError):
    """A clock setting or duration the clock cannot use; the message says what it takes."""


def is_mode(value: str) -> TypeGuard[Mode]:
    """Whether ``value`` names a clock mode (settings and requests give plain text)."""
    return value in MODES


def iso(at: float) -> str:
    """Seconds since the epoch as RFC 3339 in UTC with ``Z``, to the second (``0999-...``: the
    year always has four digits, which ``strftime("%Y")`` does not promise)."""
    moment = datetime.fromtimestamp(at, UTC).replace(microsecond=0, tzinfo=None)
    return moment.isoformat() + "Z"


RANGE = f"between {iso(EARLIEST)} and {iso(LATEST)}"
"""The clock's range as error messages and the docs say it."""


def in_range(at: float) -> bool:
    """Whether ``at`` (epoch seconds) is a time a tenant's clock may show."""
    return EARLIEST <= at <= LATEST


def utc_moment(text: str) -> datetime:
    """ISO 8601 text as an aware datetime, UTC when it names no offset; ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_instant(value: Any) -> float:
    """An ISO 8601 date-time (no offset means UTC) or epoch seconds, as epoch seconds inside the
    clock's range; raises :class:`ClockError` naming ``now`` for anything else."""
    if isinstance(value, bool):
        raise ClockError(f"now {value!r} is not a date-time (e.g. 2026-12-01T09:00:00Z)")
    if isinstance(value, int | float):
        at = float(value)
    else:
        try:
            at = utc_moment(str(value)).timestamp()
        except ValueError:
            raise ClockError(
                f"now {value!r} is not an ISO 8601 date-time (e.g. 2026-12-01T09:00:00Z)"
            ) from None
    if not in_range(at):
        raise ClockError(f"now {value!r} is out of range: a tenant's clock stays {RANGE}")
    return at


def parse_duration(value: Any) -> float:
    """``90``, ``"90s"``, ``"2m"``, ``"2h"``, ``"1d"``, ``"250ms"`` as seconds; never negative."""
    if isinstance(value, bool):
        raise ClockError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ClockError(
                f"{value!r} is not a duration: give seconds (90) or a number with a unit "
                "(250ms, 90s, 2m, 2h, 1d)"
            )
        seconds = float(match.group(1)) * _UNIT[match.group(2)]
    if not seconds >= 0 or seconds == float("inf"):
        raise ClockError(f"{value!r}: a clock only moves forward, by a finite amount")
    return seconds


@dataclass(frozen=True)
class TenantClock:
    """One tenant's clock, as the domain sees it (``mock_server.domain.env.Clock``)."""

    clocks: Clocks
    tenant: str

    def now(self) -> float:
        return self.clocks.now(self.tenant)

    def iso(self, at: float | None = None) -> str:
        return iso(self.now() if at is None else at)


class Clocks:
    """Every tenant's clock; a tenant without a stored state runs the server's default mode."""

    def __init__(
        self,
        store: Store,
        mode: str = "realtime",
        speed: float = 1.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if not is_mode(mode):
            raise ClockError(f"clock mode {mode!r}: use one of {', '.join(MODES)}")
        self.store = store
        self.mode: Mode = mode
        self.speed = speed
        self.wall = wall
        self._states: dict[str, ClockState] = {}

    def of(self, tenant: str) -> TenantClock:
        """The tenant's clock, for an ``Env``."""
        return TenantClock(self, tenant)

    def state(self, tenant: str) -> ClockState:
        """The tenant's stored state, or a fresh one in the default mode from wall time now."""
        found = self._states.get(tenant)
        if found is None:
            found = self.store.clock_state(tenant)
            if found is None:
                wall = self.wall()
                found = ClockState(tenant, self.mode, self.speed, wall, wall)
            else:
                found = self._sane(found)
            self._states[tenant] = found
        return found

    def _sane(self, state: ClockState) -> ClockState:
        """A stored state as this version can run it: a clock saved out of range or with a speed
        it refuses now (a ``--data`` file from an older version) is pulled back inside, so one bad
        clock never breaks a read of every tenant's."""
        speed = state.speed
        if not 0 < speed <= MAX_SPEED:
            speed = MAX_SPEED if speed > MAX_SPEED else 1.0
        anchor = min(max(state.anchor, EARLIEST), LATEST)  # SQLite stores no NaN, only infinities
        anchor_wall = state.anchor_wall if math.isfinite(state.anchor_wall) else self.wall()
        if (speed, anchor, anchor_wall) == (state.speed, state.anchor, state.anchor_wall):
            return state
        log.warning("clock of %s was out of range; now %s x%g", state.tenant, iso(anchor), speed)
        return replace(state, speed=speed, anchor=anchor, anchor_wall=anchor_wall)

    def now(self, tenant: str) -> float:
        """Seconds since the epoch on the tenant's clock; a running clock stops at ``LATEST``."""
        state = self.state(tenant)
        if state.mode == "manual":
            return state.anchor
        return min(state.anchor + (self.wall() - state.anchor_wall) * state.speed, LATEST)

    def describe(self, tenant: str) -> dict[str, Any]:
        """``{"tenant", "now", "mode", "speed"}`` as ``GET /__mock/clock`` answers."""
        state = self.state(tenant)
        return {
            "tenant": tenant,
            "now": iso(self.now(tenant)),
            "mode": state.mode,
            "speed": state.speed,
        }

    def set(
        self,
        tenant: str,
        mode: str | None = None,
        now: Any = None,
        speed: Any = None,
    ) -> None:
        """Change mode, time or speed; the clock goes on from the time it showed (or ``now``).

        Raises :class:`ClockError` for an unknown mode, a speed that is not a positive number, or
        a time that is not a date-time in the clock's range (:data:`RANGE`). Setting a time earlier than the clock shows is allowed
        (a test may need it); steps and deliveries already due stay due, and those due later
        still wait as long as they had left.
        """
        current = self.state(tenant)
        if mode is not None and mode not in MODES:
            raise ClockError(f"mode {mode!r}: use one of {', '.join(MODES)}")
        if speed is not None and (
            isinstance(speed, bool)
            or not isinstance(speed, int | float)
            or not 0 < speed <= MAX_SPEED
        ):
            raise ClockError(
                f"speed {speed!r}: give a number above 0 and at most {MAX_SPEED:.0f} "
                "(1 is real time)"
            )
        shown = self.now(tenant)
        at = shown if now is None else parse_instant(now)
        if at < shown:  # what was due stays due; what waits keeps what it had left to wait
            self.store.keep_due(tenant, shown, at)
        self._save(
            replace(
                current,
                mode=mode or current.mode,
                speed=float(speed) if speed is not None else current.speed,
                anchor=at,
                anchor_wall=self.wall(),
            )
        )

    def target(self, tenant: str, seconds: float) -> float:
        """The tenant's time ``seconds`` from now; raises :class:`ClockError` saying how far the
        clock can still go when that lies past ``LATEST``."""
        now = self.now(tenant)
        target = now + seconds
        if not target <= LATEST:
            room = LATEST - now
            days = f" (about {room / 86400:.0f} d)" if room >= 86400 else ""
            raise ClockError(
                f"{seconds:g} s would take {tenant}'s clock from {iso(now)} past {iso(LATEST)}: "
                f"it can go at most {room:.0f} s{days} further; a tenant's clock stays {RANGE}"
            )
        return target

    def advance(self, tenant: str, seconds: float) -> float:
        """Move the tenant's clock forward; returns its new time. Raises :class:`ClockError`
        (clock unchanged) when that lies past ``LATEST``."""
        target = self.target(tenant, seconds)
        self.move_to(tenant, target)
        return target

    def move_to(self, tenant: str, at: float) -> None:
        """Put the clock at ``at`` (the floor runs a due step at its own time), mode unchanged.
        Raises :class:`ClockError` (clock unchanged) for a time outside the range."""
        if not in_range(at):
            raise ClockError(f"{tenant}'s clock cannot move to {at!r}: it stays {RANGE}")
        self._save(replace(self.state(tenant), anchor=at, anchor_wall=self.wall()))

    def forget(self, tenant: str | None = None) -> None:
        """Drop cached states (after a reset or a restored snapshot, the store decides)."""
        if tenant is None:
            self._states.clear()
        else:
            self._states.pop(tenant, None)

    def _save(self, state: ClockState) -> None:
        self.store.save_clock_state(state)
        self._states[state.tenant] = state

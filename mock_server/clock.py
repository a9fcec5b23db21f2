"""One virtual clock per tenant: ``realtime`` (with a speed), ``instant`` or ``manual``.

A clock is an anchor: at wall time ``anchor_wall`` the tenant's time was ``anchor``. ``realtime`` and
``instant`` clocks run from there at ``speed`` virtual seconds per wall second; a ``manual`` clock
stands at its anchor until it is advanced or set. ``instant`` differs from ``realtime`` only in what
the floor does: every step that falls due runs at once, the clock jumping forward to it.

The state lives in the store, so with ``--data`` a ``realtime`` clock goes on after a restart from
wall time plus its offset, and a ``manual`` one from where it stood. Every time the server writes
(``created_at``, ``updated_at``, token expiry, ``actual_date_of_dispatch``, delivery due times) is
the tenant's time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, TypeGuard

from mock_server.store import ClockState, Store

Mode = Literal["instant", "realtime", "manual"]
MODES: tuple[Mode, ...] = ("instant", "realtime", "manual")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$")
_UNIT = {"ms": 0.001, "s": 1, None: 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


class ClockError(ValueError):
    """A clock setting or duration the clock cannot use; the message says what it takes."""


def is_mode(value: str) -> TypeGuard[Mode]:
    """Whether ``value`` names a clock mode (settings and requests give plain text)."""
    return value in MODES


def iso(at: float) -> str:
    """Seconds since the epoch as ISO 8601 in UTC with ``Z``, to the second."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: Any) -> float:
    """An ISO 8601 date-time (no offset means UTC) or epoch seconds, as epoch seconds."""
    if isinstance(value, bool):
        raise ClockError(f"{value!r} is not a date-time")
    if isinstance(value, int | float):
        return float(value)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ClockError(
            f"{value!r} is not an ISO 8601 date-time (e.g. 2026-12-01T09:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


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
            self._states[tenant] = found
        return found

    def now(self, tenant: str) -> float:
        """Seconds since the epoch on the tenant's clock."""
        state = self.state(tenant)
        if state.mode == "manual":
            return state.anchor
        return state.anchor + (self.wall() - state.anchor_wall) * state.speed

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
        a time that is not a date-time. Setting a time earlier than the clock shows is allowed
        (a test may need it); steps and deliveries already due stay due.
        """
        current = self.state(tenant)
        if mode is not None and mode not in MODES:
            raise ClockError(f"mode {mode!r}: use one of {', '.join(MODES)}")
        if speed is not None and (
            isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 < speed < 1e6
        ):
            raise ClockError(f"speed {speed!r}: give a positive number (1 is real time)")
        at = self.now(tenant) if now is None else parse_instant(now)
        self._save(
            replace(
                current,
                mode=mode or current.mode,
                speed=float(speed) if speed is not None else current.speed,
                anchor=at,
                anchor_wall=self.wall(),
            )
        )

    def advance(self, tenant: str, seconds: float) -> float:
        """Move the tenant's clock forward; returns its new time."""
        target = self.now(tenant) + seconds
        self.move_to(tenant, target)
        return target

    def move_to(self, tenant: str, at: float) -> None:
        """Put the clock at ``at`` (the floor runs a due step at its own time), mode unchanged."""
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

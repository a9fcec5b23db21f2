"""A tenant's clock stays between 1970-01-01T00:00:00Z and 9999-12-31T00:00:00Z, however it is set,
advanced, sped up or run; a refusal is a 422 that names the member and the range and leaves the clock
as it was; one tenant's clock never breaks a read of the others'."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.clock import LATEST, MAX_SPEED, Clocks, iso
from mock_server.graphql.schema import iso as graphql_iso
from mock_server.settings import Settings
from mock_server.store import ClockState, Store
from mock_server.testing import Clock, Server, ServerError, serving

RANGE = "between 1970-01-01T00:00:00Z and 9999-12-31T00:00:00Z"


@dataclass
class Mock:
    url: str
    http: httpx.Client
    state: Any

    def clock(self, tenant: str | None = None) -> Any:
        params = {"tenant": tenant} if tenant else {}
        r = self.http.get("/__mock/clock", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def set(self, **body: Any) -> httpx.Response:
        return self.http.post("/__mock/clock", json=body)

    def advance(self, **body: Any) -> httpx.Response:
        return self.http.post("/__mock/clock/advance", json=body)


@pytest.fixture
def mock() -> Iterator[Mock]:
    app = create_app(Settings(clock="manual"))
    with serving(app) as url, httpx.Client(base_url=url) as http:
        yield Mock(url, http, app.state.mock)


def refused(r: httpx.Response, *words: str) -> str:
    assert r.status_code == 422, r.text
    message = str(r.json()["error"])
    for word in words:
        assert word in message, message
    return message


def test_a_huge_advance_is_refused_and_every_read_still_answers(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    before = mock.clock()
    r = mock.advance(tenant="demo", by="99999999999d")
    message = refused(r, "by '99999999999d'", "9999-12-31T00:00:00Z", RANGE, "at most")
    assert "demo" in message
    assert mock.clock() == before  # every tenant, unchanged

    assert main(["clock", "--url", mock.url]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [
        "demo",
        "sandbox",
    ]
    assert mock.advance(by="1s").status_code == 200  # every tenant
    assert Clock(Server(mock.url), "demo").now() == mock.clock("demo")["now"]


def test_an_advance_past_the_end_from_near_it_is_refused(mock: Mock) -> None:
    assert mock.set(tenant="demo", now="9999-12-30T23:00:00Z").status_code == 200
    refused(mock.advance(tenant="demo", by="2h"), "by '2h'", "at most 3600 s", RANGE)
    assert mock.clock("demo")["now"] == "9999-12-30T23:00:00Z"
    assert mock.advance(tenant="demo", by="1h").json()["now"] == "9999-12-31T00:00:00Z"
    refused(mock.advance(tenant="demo", by=1), "by 1", "at most 0 s")
    assert mock.clock("demo")["now"] == "9999-12-31T00:00:00Z"


def test_advancing_every_tenant_is_refused_whole_when_one_cannot(mock: Mock) -> None:
    mock.set(tenant="sandbox", now="9999-12-30T23:00:00Z")
    before = mock.clock()
    refused(mock.advance(by="2h"), "sandbox", RANGE)
    assert mock.clock() == before  # demo did not move either


@pytest.mark.parametrize(
    ("now", "words"),
    [
        ("9999-12-31T23:00:00Z", ["now '9999-12-31T23:00:00Z'", RANGE]),
        ("0001-01-01T00:00:00Z", ["now '0001-01-01T00:00:00Z'", RANGE]),
        ("1969-12-31T23:59:59Z", ["now '1969-12-31T23:59:59Z'", RANGE]),
        (-1, ["now -1", RANGE]),
        (1e300, ["now 1e+300", RANGE]),
        ("soon", ["now 'soon'", "ISO 8601"]),
        (True, ["now True"]),
    ],
)
def test_a_time_outside_the_range_is_refused(mock: Mock, now: Any, words: list[str]) -> None:
    before = mock.clock()
    refused(mock.set(tenant="demo", now=now, mode="realtime"), *words)
    assert mock.clock() == before  # neither the time nor the mode changed


def test_the_ends_of_the_range_are_times_with_four_digit_years(mock: Mock) -> None:
    assert mock.set(tenant="demo", now="1970-01-01T00:00:00Z").json()["now"] == (
        "1970-01-01T00:00:00Z"
    )
    assert mock.set(tenant="demo", now="9999-12-31T00:00:00Z").json()["now"] == (
        "9999-12-31T00:00:00Z"
    )


def test_epoch_seconds_are_a_time(mock: Mock) -> None:
    assert mock.set(tenant="demo", now=12345).json()["now"] == "1970-01-01T03:25:45Z"


def test_a_speed_past_the_maximum_is_refused_naming_it(mock: Mock) -> None:
    before = mock.clock()
    refused(mock.set(tenant="demo", speed=1e12), "speed", "at most 1000000")
    refused(mock.set(tenant="demo", speed=-2), "speed", "above 0")
    assert mock.clock() == before
    assert mock.set(tenant="demo", speed=1_000_000).json()["speed"] == 1_000_000


def test_a_fast_running_clock_stops_at_the_end_of_the_range(mock: Mock) -> None:
    r = mock.set(tenant="demo", mode="realtime", speed=1_000_000, now="9999-12-30T23:59:00Z")
    assert r.status_code == 200
    time.sleep(0.01)  # 10 000 virtual seconds: well past the end
    assert mock.clock("demo")["now"] == "9999-12-31T00:00:00Z"
    assert mock.clock()["data"][1]["tenant"] == "sandbox"
    refused(mock.advance(tenant="demo", by="1s"), "at most 0 s")
    # Switching it to manual keeps it at the end, not past it.
    assert mock.set(tenant="demo", mode="manual").json()["now"] == "9999-12-31T00:00:00Z"


def test_a_floor_step_due_after_the_end_never_comes_due(mock: Mock) -> None:
    mock.set(tenant="demo", now="9999-12-30T23:59:50Z")
    mock.state.floor.schedule("demo", 30, "allocate", {"id": 1})
    assert mock.http.post("/__mock/floor/step", json={"tenant": "demo"}).json() == {
        "transitions": []
    }
    assert mock.advance(tenant="demo", by="10s").json()["transitions"] == []
    assert mock.set(tenant="demo", mode="instant").status_code == 200
    assert mock.clock("demo")["now"] == "9999-12-31T00:00:00Z"


def test_a_stored_clock_out_of_range_is_pulled_back_and_reset_repairs_it(mock: Mock) -> None:
    # As a --data file written before the range existed could hold it.
    mock.state.store.save_clock_state(ClockState("demo", "manual", 1e12, 8.6e15, time.time()))
    mock.state.clocks.forget()
    shown = mock.clock()["data"]
    assert shown[0] == {
        "tenant": "demo",
        "now": "9999-12-31T00:00:00Z",
        "mode": "manual",
        "speed": 1_000_000,
    }
    assert shown[1]["tenant"] == "sandbox"

    assert mock.http.post("/__mock/reset", json={"tenant": "demo"}).status_code == 200
    after = mock.clock("demo")
    shown_at = datetime.fromisoformat(after["now"]).timestamp()
    assert abs(shown_at - time.time()) < 60  # the server's default clock again, from wall time
    assert after["speed"] == 1


def test_the_cli_and_the_plugin_clock_say_why(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    before = mock.clock()
    with pytest.raises(SystemExit) as exit_info:
        main(["advance", "99999999999d", "--url", mock.url, "--tenant", "demo"])
    assert exit_info.value.code == 1
    assert RANGE in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["clock", "--url", mock.url, "--tenant", "demo", "--now", "0001-01-01T00:00:00Z"])
    assert "now '0001-01-01T00:00:00Z'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["clock", "--url", mock.url, "--tenant", "demo", "--speed", "1e12"])
    assert "at most 1000000" in capsys.readouterr().err

    clock = Clock(Server(mock.url), "demo")
    with pytest.raises(ServerError, match="422 by '99999999999d'"):
        clock.advance("99999999999d")
    with pytest.raises(ServerError, match="422 now '0001-01-01T00:00:00Z' is out of range"):
        clock.set(now="0001-01-01T00:00:00Z")
    assert mock.clock() == before


def test_times_always_have_four_digit_years() -> None:
    assert iso(-62135596800) == "0001-01-01T00:00:00Z"
    assert iso(LATEST) == "9999-12-31T00:00:00Z"
    assert graphql_iso("0999-05-01T10:00:00+00:00") == "0999-05-01T10:00:00Z"
    assert graphql_iso(0) == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (ClockState("demo", "realtime", 1.0, -math.inf, math.inf), (0.0, 1.0)),
        (ClockState("demo", "realtime", -3.0, -5.0, 1000.0), (0.0, 1.0)),
        (ClockState("demo", "realtime", math.inf, 50.0, 1000.0), (50.0, MAX_SPEED)),
        (ClockState("demo", "realtime", 2.0, 50.0, 1000.0), (50.0, 2.0)),
    ],
)
def test_a_stored_clock_is_read_back_inside_the_range(
    stored: ClockState, shown: tuple[float, float]
) -> None:
    store = Store()
    store.save_clock_state(stored)
    clocks = Clocks(store, wall=lambda: 1000.0)
    assert (clocks.now("demo"), clocks.state("demo").speed) == shown

"""The floor's job kinds -> the domain step each runs (filled in as the lifecycles land)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.clock import TimeSource
from mock_server.store import Store

JobHandler = Callable[[Store, str, TimeSource, dict[str, Any]], None]
JOBS: dict[str, JobHandler] = {}

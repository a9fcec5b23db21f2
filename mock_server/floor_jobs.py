"""The floor's job kinds -> the domain step each runs (filled in as the lifecycles land)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain.env import Env

JobHandler = Callable[[Env, dict[str, Any]], None]
JOBS: dict[str, JobHandler] = {}

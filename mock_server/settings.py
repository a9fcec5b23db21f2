"""The one settings object passed to ``create_app``; nothing else reads the environment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How a clarus-mock server runs."""

    host: str = "127.0.0.1"
    port: int = 8765
    data: str | None = None  # SQLite file; None keeps the state in a temporary one (see Store)
    fixtures: str = "demo"  # a pack name under fixtures/ or a path to a pack.yaml
    admin_token: str | None = None  # required on /__mock when set
    max_body_bytes: int = 1024 * 1024
    log_level: str = "info"
    strict: bool = False  # warnings (an id sent as "9", an empty string...) are 422 too
    clock: str = "realtime"  # each tenant's clock starts as instant, realtime or manual
    chaos_seed: int | None = None  # seeds the webhook chaos switches, so a run can be repeated

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# `make test` is bounded and derandomized, so no run (CI's included, whatever its environment) goes
# red by luck. CLARUS_HYPOTHESIS_PROFILE=thorough explores: 300 random examples per property.
settings.register_profile(
    "ci",
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile(
    "thorough", parent=settings.get_profile("ci"), max_examples=300, derandomize=False
)
settings.load_profile(os.environ.get("CLARUS_HYPOTHESIS_PROFILE", "ci"))

# pytester runs the pytest plugin as users meet it (tests/plugin); pytest takes pytest_plugins only
# from the top-level conftest.
pytest_plugins = ["pytester"]

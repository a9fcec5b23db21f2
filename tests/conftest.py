from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Bounded so `make test` stays quick; CLARUS_HYPOTHESIS_PROFILE=thorough for a longer run.
# Under CI=true the examples are derandomized so a run cannot go red by luck; locally they vary.
settings.register_profile(
    "ci",
    max_examples=25,
    derandomize=os.environ.get("CI") == "true",
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=300)
settings.load_profile(os.environ.get("CLARUS_HYPOTHESIS_PROFILE", "ci"))

"""The public API is exactly what ``contracts.__all__`` says."""

from __future__ import annotations

import contracts


def test_all_matches_public_names() -> None:
    public = {
        name
        for name, value in vars(contracts).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("contracts")
    }
    lazy = {"InvalidPayload", "invalid", "valid"}  # loaded on first use (they import Hypothesis)
    assert set(contracts.__all__) == public | lazy
    for name in contracts.__all__:
        assert getattr(contracts, name) is not None

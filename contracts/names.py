"""Nearest-name matching for "did you mean" hints (field names, enum values, operation names)."""

from __future__ import annotations

import difflib
import re

_SPLIT = re.compile(r"[_.\-\s]+")


def _tokens(name: str) -> set[str]:
    return {t for t in _SPLIT.split(name.lower()) if t}


def similarity(a: str, b: str) -> float:
    """Score two names: character similarity, or word overlap when the words are reordered.

    ``expected_dispatch_date`` and ``expected_date_of_dispatch`` share few character runs but all of
    their words, which is how integrators misremember field names.
    """
    chars = difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()
    ta, tb = _tokens(a), _tokens(b)
    words = len(ta & tb) / len(ta | tb) if ta and tb else 0.0
    # The unmatched word "of" should not sink a reordered name: score coverage of the shorter name.
    coverage = len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0
    return max(chars, words, coverage * 0.9)


def nearest(name: str, candidates: list[str], limit: int = 1, cutoff: float = 0.6) -> list[str]:
    """The candidates most like ``name``, best first, above ``cutoff``."""
    scored = sorted(
        ((similarity(name, c), c) for c in candidates if c != name), key=lambda p: (-p[0], p[1])
    )
    return [c for score, c in scored[:limit] if score >= cutoff]

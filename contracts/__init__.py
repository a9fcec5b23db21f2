"""The Clarus contract kit: schemas, an explaining validator, strategies and OpenAPI.

>>> from contracts import validate
>>> validate("goods_outs.create", {"data": {"type": "goods_outs", "attributes": {}}})[0].rule
'required'
"""

from __future__ import annotations

from typing import Any

from contracts.reader import Document, NotJsonError, read_json
from contracts.registry import Operation, UnknownOperationError, get_operation, operations
from contracts.validate import (
    UndetectableOperationError,
    detect_operation,
    is_valid,
    validate,
    validate_document,
)
from contracts.violations import ContractError, Violation

_LAZY = {"InvalidPayload", "invalid", "valid"}


def __getattr__(name: str) -> Any:
    """Load the Hypothesis strategies on first use.

    They import Hypothesis (~0.3 s), which the server never needs, and Hypothesis and
    hypothesis-jsonschema come only with the ``hypothesis`` extra; without it this raises the
    ``ImportError`` from :mod:`contracts.strategies`, which names the command that installs them.
    """
    if name in _LAZY:
        from contracts import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'contracts' has no attribute {name!r}")


__all__ = [
    "ContractError",
    "Document",
    "InvalidPayload",
    "NotJsonError",
    "Operation",
    "UndetectableOperationError",
    "UnknownOperationError",
    "Violation",
    "detect_operation",
    "get_operation",
    "invalid",
    "is_valid",
    "operations",
    "read_json",
    "valid",
    "validate",
    "validate_document",
]

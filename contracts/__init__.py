"""The Clarus contract kit: schemas, an explaining validator, strategies and OpenAPI.

>>> from contracts import validate
>>> validate("goods_outs.create", {"data": {"type": "goods_outs", "attributes": {}}})[0].rule
'required'
"""

from contracts.registry import Operation, UnknownOperationError, get_operation, operations
from contracts.strategies import InvalidPayload, invalid, valid
from contracts.validate import UndetectableOperationError, detect_operation, is_valid, validate
from contracts.violations import ContractError, Violation

__all__ = [
    "ContractError",
    "InvalidPayload",
    "Operation",
    "UndetectableOperationError",
    "UnknownOperationError",
    "Violation",
    "detect_operation",
    "get_operation",
    "invalid",
    "is_valid",
    "operations",
    "valid",
    "validate",
]

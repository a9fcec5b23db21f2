"""``clarus-mock check``: validate payload files and report, for people and for CI."""

from contracts.check.inputs import InputError, Payload, read_payloads
from contracts.check.report import CheckResult, check_payloads, exit_code, render

__all__ = [
    "CheckResult",
    "InputError",
    "Payload",
    "check_payloads",
    "exit_code",
    "read_payloads",
    "render",
]

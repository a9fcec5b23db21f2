"""What a domain function raises when it refuses: plain exceptions, no HTTP.

A face turns them into its own answer (REST: :func:`mock_server.errors.from_domain`, 404 or 422 with
the same body the vendor's clients read); the floor logs them. Each carries the
:class:`contracts.Violation` objects that say where and why, so every face reports the same pointer,
rule and hint.
"""

from __future__ import annotations

from contracts import Violation


class DomainError(Exception):
    """A refusal by a business rule; ``violations`` says where and why (the first one leads)."""

    def __init__(self, summary: str, violations: list[Violation]) -> None:
        super().__init__(summary)
        self.summary = summary
        self.violations = violations


class NotFound(DomainError):
    """The record a caller names by its id does not exist in the tenant."""

    def __init__(self, resource: str, id: int) -> None:
        super().__init__(f"{resource} {id} does not exist in this tenant", [])
        self.resource = resource
        self.id = id


class Unprocessable(DomainError):
    """A rule the schema cannot express was broken (a reference, a uniqueness, a status).

    One violation, at ``pointer`` (a JSON pointer into the operation's input); pass ``more`` where a
    check reports several at once.
    """

    def __init__(
        self,
        pointer: str,
        rule: str,
        message: str,
        hint: str | None = None,
        more: list[Violation] | None = None,
    ) -> None:
        super().__init__(message, [Violation(pointer, rule, message, hint), *(more or [])])
        self.pointer = pointer
        self.rule = rule


class VendorError(DomainError):
    """One of the vendor's numeric business errors (36 ``empty_ids_provided``, 39, 59, 318...).

    The codes, symbols and meanings are the ``x-clarus-vendor-errors`` table of the schemas
    (:func:`contracts.registry.vendor_errors`).
    """

    def __init__(self, code: int, symbol: str, message: str, pointer: str = "") -> None:
        violation = Violation(pointer, symbol, message, code=code, symbol=symbol)
        super().__init__(message, [violation])
        self.code = code
        self.symbol = symbol

"""``Violation``: one way a payload breaks the contract, as plain data.

A Violation travels unchanged from the validator to the HTTP error body, the CLI and the pytest report;
its text is rendered from the data, never parsed back. Hierarchy of the kit's exceptions::

    ContractError (ValueError)
     ├── UnknownOperationError   an operation name no schema file defines
     └── UndetectableOperationError  a payload whose operation cannot be told from its shape
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
DOCS_BASE = "https://github.com/clarus-mock/clarus-mock/blob/main/docs/violations/"


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule at one place in a payload.

    ``pointer`` is an RFC 6901 JSON pointer into the payload (``""`` is the whole document); for a
    missing member it is the member's own path. ``rule`` is a stable id with a page under
    ``docs/violations/``. ``hint`` says what to do instead, when the kit knows. ``code`` and
    ``symbol`` are the vendor's numeric error code and its name where the vendor documents one for
    this mistake (``36``, ``empty_ids_provided``), else None.
    """

    pointer: str
    rule: str
    message: str
    hint: str | None = None
    severity: Severity = "error"
    schema_path: str = ""
    instance: Any = None
    code: int | None = None
    symbol: str | None = None

    @property
    def docs_url(self) -> str:
        """Where the rule is explained, with cause and fix."""
        return f"{DOCS_BASE}{self.rule}.md"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Violation:
        """Rebuild a Violation from :meth:`to_dict` output."""
        return cls(**data)

    def render(self) -> str:
        """One line: ``pointer: message (hint)``."""
        where = self.pointer or "/"
        text = f"{where}: {self.message} [{self.rule}]"
        return f"{text} ({self.hint})" if self.hint else text


class ContractError(ValueError):
    """Base of the kit's argument errors (not payload violations, which are returned as data)."""

"""The plain, picklable records that every layer passes around."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    """One rule violation at one place; lines 1-based, columns 0-based as in `ast`."""

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)
    end_line: int = field(default=0, compare=False)
    end_column: int = field(default=0, compare=False)

    def key(self) -> tuple[str, int, int]:
        return (self.code, self.line, self.column)


@dataclass(frozen=True)
class FileError:
    """A file that could not be checked, and why, in words a user can act on."""

    path: str
    message: str


@dataclass
class FileResult:
    """What one file contributes: findings, facts for cross-file rules, or an error."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    error: FileError | None = None

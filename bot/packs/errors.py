"""Problems found in rule packs, reported compiler-style so editors can jump to them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    """One problem in one file. Lines and columns are 1-based (0 = unknown)."""

    path: str
    line: int
    col: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"

    def to_json(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "message": self.message,
        }


class PackError(Exception):
    """Raised when packs cannot be loaded; carries every issue found, not only the first."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues)
        summary = f"{len(self.issues)} problem(s) in rule packs"
        if self.issues:
            summary += f"; first: {self.issues[0]}"
        super().__init__(summary)

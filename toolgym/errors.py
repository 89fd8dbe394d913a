"""One exception hierarchy for toolgym.

Feedback versus fault: a bad tool call, a malformed completion or a failing tool is *data* that goes back to the
model as a message and never raises. The exceptions below are faults of the caller or of the data: a corrupt task
file, an unknown preset, a missing optional dependency. Each message names what was wrong and how to fix it.
"""

from __future__ import annotations


class ToolgymError(Exception):
    """Base class of every exception toolgym raises on purpose."""


class TaskValidationError(ToolgymError, ValueError):
    """A task record is invalid; names the file, line and field where known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        where = ", ".join(p for p in (path and f"file {path}", line and f"line {line}",
                                      field and f"field {field!r}") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.path, self.line, self.field = path, line, field


class UnknownNameError(ToolgymError, KeyError):
    """A name (parser, reward preset, format) that toolgym does not know; lists the known ones."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(known))}")
        self.kind, self.name, self.known = kind, name, known

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class MissingDependencyError(ToolgymError, ImportError):
    """An optional dependency is not installed; says which extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"{package} is required for this feature: pip install \"toolgym[{extra}]\"")

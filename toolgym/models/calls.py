"""Runtime records of one turn: the calls a completion makes and what running them returned.

These are plain frozen dataclasses, not pydantic models: they sit on the step's hot path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def call_id(turn: int, index: int) -> str:
    """The deterministic id of the `index`-th call of turn `turn` (both from 0), when the model gave none."""
    return f"call_{turn}_{index}"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One tool call. `arguments` is the JSON text as the model wrote it (OpenAI wire form); it may be invalid
    JSON, which the executor reports back to the model. `id` is None when the source format carries no id."""

    name: str
    arguments: str = "{}"
    id: str | None = None

    @classmethod
    def of(cls, name: str, arguments: dict[str, Any] | None = None, id: str | None = None) -> ToolCall:
        """Build a call from decoded arguments."""
        return cls(name, json.dumps(arguments or {}, ensure_ascii=False), id)

    def openai(self, id: str) -> dict[str, Any]:
        """The call as an OpenAI `tool_calls` entry."""
        return {"id": id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass(frozen=True, slots=True)
class ParseIssue:
    """A part of a completion that looked like a tool call but could not be read. Reported, never dropped."""

    fragment: str  # the offending text (truncated by the parser to a readable length)
    reason: str    # why it could not be read, e.g. "invalid JSON: Expecting ',' delimiter (char 17)"


@dataclass(frozen=True, slots=True)
class ParsedTurn:
    """What a parser read from one assistant completion."""

    content: str                                # the text left once calls and reasoning are removed
    calls: tuple[ToolCall, ...] = ()
    issues: tuple[ParseIssue, ...] = ()
    reasoning: str | None = None                # the <think>...</think> part, kept apart from the answer


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The outcome of one call: the text that goes back to the model, and whether it is an error.

    `error` is None on success, else a short kind: 'unknown_tool', 'invalid_json', 'invalid_arguments',
    'exception', 'timeout', or a limit name from an isolated executor ('memory', 'cpu', ...).
    """

    content: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """A call as executed in an episode: its id, the call, the result, and the sub-answer it solved (if any)."""

    id: str
    call: ToolCall
    result: ToolResult
    solved: str | None = field(default=None)

"""Runtime records of one turn: the calls a completion makes and what running them returned.

These are plain frozen dataclasses, not pydantic models: they sit on the step's hot path.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})


def call_id(turn: int, index: int) -> str:
    """The deterministic id of the `index`-th call of turn `turn` (both from 0), when the model gave none."""
    return f"call_{turn}_{index}"


# The C encoder `json.dumps(value, ensure_ascii=False)` builds on every call, built once; without circular-reference
# bookkeeping (shared state), so a circular value raises RecursionError rather than ValueError.
_C_ENCODER = None if json.encoder.c_make_encoder is None else json.encoder.c_make_encoder(
    None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
_PY_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def json_text(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False)`, cheaper: the step turns arguments and tool results into text with it.

    >>> json_text({"city": "Zürich", "days": [1, 2.5, None]})
    '{"city": "Zürich", "days": [1, 2.5, null]}'
    """
    if _C_ENCODER is None:  # an interpreter without json's C accelerator
        return _PY_ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Sorted-key, compact, UTF-8 JSON: values equal as JSON give equal text (content hashes, cache keys)."""
    return _CANONICAL_ENCODER.encode(value)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One tool call. `arguments` is the JSON text as the model wrote it (OpenAI wire form); it may be invalid
    JSON, which the executor reports back to the model. `id` is None when the source format carries no id."""

    name: str
    arguments: str = "{}"
    id: str | None = None
    # The arguments as (name, value) pairs when a parser decoded them and every value is a JSON scalar (immutable,
    # so the pairs can be shared): the executor then skips decoding `arguments` again. Not part of equality.
    decoded: tuple[tuple[str, Any], ...] | None = field(default=None, init=False, compare=False, repr=False)

    @classmethod
    def of(cls, name: str, arguments: dict[str, Any] | None = None, id: str | None = None) -> ToolCall:
        """Build a call from decoded arguments."""
        arguments = arguments or {}
        return cls.parsed(name, json.dumps(arguments, ensure_ascii=False), arguments, id)

    @classmethod
    def parsed(cls, name: str, arguments: str, decoded: Mapping[Any, Any], id: str | None = None) -> ToolCall:
        """A call whose JSON text `arguments` was just encoded from the object `decoded`."""
        call = cls(name, arguments, id)
        if type(decoded) is dict and _STR.issuperset(map(type, decoded)) and _JSON_SCALARS.issuperset(
                map(type, decoded.values())):
            object.__setattr__(call, "decoded", tuple(decoded.items()))  # frozen: set once, here
        return call

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

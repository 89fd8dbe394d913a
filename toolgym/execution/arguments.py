"""Admitting a call before any tool code runs, the same for every executor: the tool must exist, the arguments
must decode to a JSON object, and that object must satisfy the tool's schema. A refusal is a `ToolResult`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from toolgym.execution.render import error_message
from toolgym.execution.validation import ArgumentValidator
from toolgym.models.calls import ToolCall, ToolResult

MAX_NAME_SHOWN = 64  # the longest tool name the OpenAI schema allows
_JSON_TYPE_NAMES = {dict: "object", list: "array", str: "string", int: "integer", float: "number",
                    bool: "boolean", type(None): "null"}


def unknown_tool(name: str, available: Iterable[str]) -> ToolResult:
    """The error for a call of a tool the task does not have, listing the ones it has."""
    shown = name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "…"  # a flood echoed back is a flood
    return ToolResult(error_message(shown, f"unknown tool {shown!r}; available tools: {', '.join(available)}"),
                      "unknown_tool")


def admitted_arguments(call: ToolCall, validator: ArgumentValidator | None) -> dict[str, Any] | ToolResult:
    """The call's arguments as a dict, or the error result saying why they cannot be passed to the tool."""
    if call.decoded is not None:  # the parser already decoded `arguments`
        args: Any = dict(call.decoded)
    else:
        try:
            args = json.loads(call.arguments)
        except (ValueError, TypeError, RecursionError) as e:  # JSONDecodeError is a ValueError
            return ToolResult(error_message(call.name, f"invalid JSON arguments: {e}"), "invalid_json")
    if not isinstance(args, dict):
        kind = _JSON_TYPE_NAMES.get(type(args), type(args).__name__)
        return ToolResult(error_message(call.name, f"arguments must be a JSON object, got {kind}"),
                          "invalid_arguments")
    if validator is not None and (problem := validator.check(args)) is not None:
        return ToolResult(error_message(call.name, problem), "invalid_arguments")
    return args

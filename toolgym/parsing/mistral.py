"""Mistral tool calls, both generations of the format:

- `[TOOL_CALLS] [{"name": "f", "arguments": {...}, "id": "abc123xyz"}, ...]` (Mistral 7B v0.3, Nemo, Large 2);
- `[TOOL_CALLS]f[ARGS]{...}[TOOL_CALLS]g[ARGS]{...}` (tokenizer v11+: Mistral Small 3.2, Magistral, Devstral), with
  an optional `[CALL_ID]id` between the name and `[ARGS]`.

Text before the first `[TOOL_CALLS]` (and after a call's JSON) is content. In the `[ARGS]` form the name stands
outside the JSON, so a call with unreadable arguments is still a call: its arguments are kept verbatim and the
executor reports the bad JSON to the model. Ids are kept when the model wrote them.

>>> MistralParser().parse('[TOOL_CALLS]f[ARGS]{"x": 1}').calls
(ToolCall(name='f', arguments='{"x": 1}', id=None),)
"""

from __future__ import annotations

from toolgym.models.calls import ParseIssue, ToolCall
from toolgym.parsing.base import (Reading, TextParser, call_from_object, collect, decode_json, issue,
                                  skip_whitespace)

TOOL_CALLS = "[TOOL_CALLS]"
ARGS = "[ARGS]"
CALL_ID = "[CALL_ID]"
END_TOKEN = "</s>"
NO_CALL = f"nothing after {TOOL_CALLS}"
NOT_A_CALL = f"expected a JSON list of calls or name{ARGS}{{...}} after {TOOL_CALLS}"
MISSING_NAME = f"missing name before {ARGS}"


class MistralParser(TextParser):
    """Reads `[TOOL_CALLS]` tool calls."""

    name = "mistral"

    def read_calls(self, text: str) -> Reading:
        """The calls after each `[TOOL_CALLS]`, and the text before and between them."""
        position = text.find(TOOL_CALLS)
        if position < 0:
            return Reading(text, [], [])
        content = [text[:position]]
        calls: list[ToolCall] = []
        issues: list[ParseIssue] = []
        while position < len(text):  # here text[position:] starts with [TOOL_CALLS]
            leftover, position = _read_after_marker(text, position + len(TOOL_CALLS), calls, issues)
            content.append(leftover)
        return Reading("".join(content), calls, issues)


def _read_after_marker(text: str, at: int, calls: list[ToolCall], issues: list[ParseIssue]) -> tuple[str, int]:
    """Read the calls that follow one `[TOOL_CALLS]` (its end at `at`) into `calls`/`issues`; return the text left
    over and the index of the next `[TOOL_CALLS]` (or the end).

    The JSON is decoded before the next marker is looked for, so arguments that mention `[TOOL_CALLS]` are safe.
    """
    start = skip_whitespace(text, at)
    segment_end = _next_marker(text, start)
    if not _without_end_token(text[start:segment_end]):
        issues.append(issue(TOOL_CALLS, NO_CALL))
        return "", segment_end
    if text[start] in "[{" and not text.startswith(ARGS, start):
        return _read_json_calls(text, start, segment_end, calls, issues)
    args_at = text.find(ARGS, start, segment_end)
    if args_at >= 0:
        return _read_named_call(text, start, args_at, segment_end, calls, issues)
    issues.append(issue(TOOL_CALLS + text[start:segment_end], NOT_A_CALL))
    return "", segment_end


def _read_json_calls(text: str, start: int, segment_end: int, calls: list[ToolCall],
                     issues: list[ParseIssue]) -> tuple[str, int]:
    """The older form: a JSON list of call objects (or one object) at `start`."""
    decoded = decode_json(text, start)
    if isinstance(decoded, str):
        issues.append(issue(TOOL_CALLS + text[start:segment_end], decoded))
        return "", segment_end
    value, end = decoded
    for obj in value if isinstance(value, list) else [value]:
        collect(call_from_object(obj), calls, issues)
    stop = _next_marker(text, end)
    return _without_end_token(text[end:stop]), stop


def _read_named_call(text: str, start: int, args_at: int, segment_end: int, calls: list[ToolCall],
                     issues: list[ParseIssue]) -> tuple[str, int]:
    """The newer form: `name[CALL_ID]id[ARGS]{json}`, with `[ARGS]` at `args_at`."""
    name, _, call_id = text[start:args_at].partition(CALL_ID)
    name, call_id = name.strip(), call_id.strip() or None
    if not name:
        issues.append(issue(TOOL_CALLS + text[start:segment_end], MISSING_NAME))
        return "", segment_end
    args_start = skip_whitespace(text, args_at + len(ARGS))
    decoded = decode_json(text, args_start)
    if isinstance(decoded, str):  # unreadable arguments: the call stands, the executor reports the JSON error
        calls.append(ToolCall(name, _without_end_token(text[args_start:segment_end]), call_id))
        return "", segment_end
    value, end = decoded
    kept = value if isinstance(value, dict) else text[args_start:end]  # a non-object stays verbatim
    collect(call_from_object({"name": name, "arguments": kept}, id=call_id), calls, issues)
    stop = _next_marker(text, end)
    return _without_end_token(text[end:stop]), stop


def _next_marker(text: str, position: int) -> int:
    """The index of the next `[TOOL_CALLS]` at or after `position`, or `len(text)`."""
    found = text.find(TOOL_CALLS, position)
    return found if found >= 0 else len(text)


def _without_end_token(text: str) -> str:
    """`text` stripped, without the end-of-sequence token a server may leave in."""
    return text.strip().removesuffix(END_TOKEN).rstrip()

"""Actions that arrive already structured: an assistant message dict, or a list of calls.

Accepted message shapes: OpenAI (`tool_calls` entries `{"id", "type": "function", "function": {"name",
"arguments": "<JSON text>"}}`), Hugging Face chat templates (`function.arguments` a dict, or entries `{"name",
"arguments"}` without the `function` wrapper) and the legacy OpenAI `function_call`. Content may be a string or a
list of text parts. Reasoning comes from `reasoning_content` / `reasoning` and from `<think>` blocks in the content.
A message without calls is read by the format's text parser (the server may not have parsed the calls). A message
with calls is taken as parsed: its content only loses its `<think>` blocks, so no call is read twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall
from toolgym.parsing.base import Parser, call_from_object, collect, describe, issue
from toolgym.parsing.reasoning import join_reasoning, split_reasoning

ASSISTANT = "assistant"
REASONING_KEYS = ("reasoning_content", "reasoning")  # vLLM and DeepSeek use the first; OpenRouter the second
NOT_ASSISTANT = "expected an assistant message (a dict with role 'assistant'), got role {}"
NOT_A_LIST = "'tool_calls' must be a list of calls, got {}"
NOT_A_CALL = "expected a tool call (a ToolCall, or an OpenAI or Hugging Face call dict), got {}"
BAD_FUNCTION = "'function' must be an object with 'name' and 'arguments', got {}"
BAD_TOOL_CALL = "ToolCall fields must be strings (name, arguments)"
BAD_CONTENT = "'content' must be text or a list of text parts, got {}"
BAD_PART = "expected a text part {{'type': 'text', 'text': ...}} in 'content', got {}"


def parse_message(message: Mapping[str, Any], text_parser: Parser) -> ParsedTurn:
    """Read an assistant message dict; `text_parser` reads its content when it carries no structured calls.

    >>> from toolgym.parsing.hermes import HermesParser
    >>> parse_message({"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
    ...     "function": {"name": "f", "arguments": '{"x": 1}'}}]}, HermesParser()).calls
    (ToolCall(name='f', arguments='{"x": 1}', id='call_1'),)
    """
    role = message.get("role")
    if role != ASSISTANT:
        return ParsedTurn("", issues=(issue(describe(message), NOT_ASSISTANT.format(describe(role))),))
    text, issues = _content_text(message.get("content"))
    fields = [value for key in REASONING_KEYS if isinstance(value := message.get(key), str)]
    entries = _call_entries(message)
    if entries is None:
        turn = text_parser.parse(text)
        return ParsedTurn(turn.content, turn.calls, (*issues, *turn.issues), join_reasoning(*fields, turn.reasoning))
    answer, reasoning, problem = split_reasoning(text)
    if problem is not None:
        issues.append(issue(*problem))
    calls, call_issues = read_call_list(entries)
    return ParsedTurn(answer.strip(), tuple(calls), (*issues, *call_issues), join_reasoning(*fields, reasoning))


def parse_calls(entries: Sequence[Any]) -> ParsedTurn:
    """Read a list of calls given as the action: no content, no reasoning."""
    calls, issues = read_call_list(entries)
    return ParsedTurn("", tuple(calls), tuple(issues))


def read_call_list(entries: object) -> tuple[list[ToolCall], list[ParseIssue]]:
    """The calls of a `tool_calls`-like list; each entry that cannot be read is an issue."""
    if not isinstance(entries, (list, tuple)):
        return [], [issue(describe(entries), NOT_A_LIST.format(type(entries).__name__))]
    calls: list[ToolCall] = []
    issues: list[ParseIssue] = []
    for entry in entries:
        collect(call_from_entry(entry), calls, issues)
    return calls, issues


def call_from_entry(entry: object) -> ToolCall | ParseIssue:
    """One call: a `ToolCall`, an OpenAI/HF `{"id", "function": {...}}` dict, or an HF `{"name", "arguments"}`."""
    if isinstance(entry, ToolCall):
        if not (isinstance(entry.name, str) and isinstance(entry.arguments, str)):
            return issue(describe(entry.name), BAD_TOOL_CALL)
        if entry.id is None or (isinstance(entry.id, str) and entry.id):
            return entry
        return ToolCall(entry.name, entry.arguments)  # a non-string id becomes None, as in every other form
    if not isinstance(entry, Mapping):
        return issue(describe(entry), NOT_A_CALL.format(type(entry).__name__))
    function = entry.get("function")
    if function is None:
        return call_from_object(entry)
    if not isinstance(function, Mapping):
        return issue(describe(entry), BAD_FUNCTION.format(type(function).__name__))
    return call_from_object(function, describe(entry), id=entry.get("id"))


def _call_entries(message: Mapping[str, Any]) -> object | None:
    """The message's calls as given (maybe malformed), or None when it has none."""
    entries = message.get("tool_calls")
    if entries is None and message.get("function_call") is not None:  # OpenAI's pre-2023 single call
        entries = [{"function": message["function_call"]}]
    if entries is None or (isinstance(entries, (list, tuple)) and not entries):
        return None
    return entries


def _content_text(content: object) -> tuple[str, list[ParseIssue]]:
    """The text of a message's content (a string, None, or a list of text parts) and any part it cannot use."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if not isinstance(content, (list, tuple)):
        return "", [issue(describe(content), BAD_CONTENT.format(type(content).__name__))]
    texts: list[str] = []
    issues: list[ParseIssue] = []
    for part in content:
        text = part if isinstance(part, str) else part.get("text") if isinstance(part, Mapping) else None
        if isinstance(text, str):
            texts.append(text)
        else:
            issues.append(issue(describe(part), BAD_PART.format(type(part).__name__)))
    return "".join(texts), issues


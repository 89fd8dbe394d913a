"""Hermes tool calls (Qwen2.5, Qwen3, Nous Hermes): `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`.

The JSON object after `<tool_call>` is decoded before the closing tag is looked for, so arguments that mention
`</tool_call>` do not cut the call short. Lenient where models commonly slip and the intent is clear: "parameters"
for "arguments", arguments given as a JSON string, whitespace and a Markdown code fence inside the tag. Strict where
the intent is not: the body must be one JSON object; an unclosed tag (cut off, or followed by the next
`<tool_call>`), invalid JSON, a missing name, or a `</tool_call>` with no opening tag is a `ParseIssue`. Text
outside the tags is the content.

Well-formed turns take a lean path (`_lean_parse`: split on the tags, decode each body whole) that gives up at the
first thing it does not expect, leaving the turn to the full reading; both give the same `ParsedTurn` (tested
with hypothesis on adversarial texts).

>>> turn = HermesParser().parse('Checking.\\n<tool_call>\\n{"name": "f", "arguments": {"x": 1}}\\n</tool_call>')
>>> turn.content, turn.calls
('Checking.', (ToolCall(name='f', arguments='{"x": 1}', id=None),))
"""

from __future__ import annotations

import json

from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall
from toolgym.parsing.base import (Reading, TextParser, call_from_object, collect, decode_json, issue,
                                  skip_whitespace, strip_code_fence)

OPEN_TAG = "<tool_call>"
CLOSE_TAG = "</tool_call>"
UNCLOSED = f"unclosed {OPEN_TAG}"
EMPTY = f"empty {OPEN_TAG}"
STRAY_CLOSE = f"{CLOSE_TAG} without an opening {OPEN_TAG}"
TRAILING = "invalid JSON: Extra data at char {}"  # json.loads's words, so every JSON reason reads alike
FRAGMENT_TAIL = 150  # a stray close tag is quoted with the text just before it, where the model went wrong


class HermesParser(TextParser):
    """Reads `<tool_call>{json}</tool_call>` blocks; several per turn."""

    name = "hermes"

    def parse(self, text: str) -> ParsedTurn:
        """The content, calls, issues and reasoning of one completion; never raises."""
        lean = _lean_parse(text) if type(text) is str else None
        return lean if lean is not None else super().parse(text)

    def read_calls(self, text: str) -> Reading:
        """The calls of every `<tool_call>` block, and the text outside the blocks."""
        if OPEN_TAG not in text and CLOSE_TAG not in text:
            return Reading(text, [], [])
        content: list[str] = []
        calls: list[ToolCall] = []
        issues: list[ParseIssue] = []
        position, close = 0, text.find(CLOSE_TAG)
        while (start := text.find(OPEN_TAG, position)) >= 0:
            _stray_closes(text[position:start], content, issues)
            if 0 <= close < start + len(OPEN_TAG):  # the next close tag is only searched for again once passed,
                close = text.find(CLOSE_TAG, start + len(OPEN_TAG))  # so many unclosed tags cost linear time
            result, position = _read_block(text, start, close)
            collect(result, calls, issues)
        _stray_closes(text[position:], content, issues)
        return Reading("".join(content), calls, issues)


def _lean_parse(text: str) -> ParsedTurn | None:
    """The turn of a completion whose every block holds one JSON object that makes a call, with no reasoning and
    no stray tag; None for anything else (no call, a think tag, a tag in the arguments, bad JSON, a bad call),
    which the full reading handles. Gives up at the first block it cannot take, having read nothing past it."""
    start = text.find(OPEN_TAG)
    if start < 0 or "think>" in text or text.find(CLOSE_TAG, 0, start) >= 0:  # "think>": either reasoning tag
        return None
    content, calls = [text[:start]], []
    while start >= 0:
        body = start + len(OPEN_TAG)
        close = text.find(CLOSE_TAG, body)
        following = text.find(OPEN_TAG, body)
        if close < 0 or 0 <= following < close:  # unclosed
            return None
        after = close + len(CLOSE_TAG)
        end = following if following >= 0 else len(text)
        if text.find(CLOSE_TAG, after, end) >= 0:  # a stray close tag after the block
            return None
        try:
            obj = _loads(text[body:close])
        except (ValueError, RecursionError):  # bad JSON, an integer past Python's limit, deep nesting
            return None
        call = call_from_object(obj, "")
        if type(call) is not ToolCall:
            return None
        calls.append(call)
        content.append(text[after:end])
        start = following
    return ParsedTurn("".join(content).strip(), tuple(calls))


_loads = json.JSONDecoder().decode  # JSON whitespace around the object, nothing else


def _read_block(text: str, start: int, end: int) -> tuple[ToolCall | ParseIssue, int]:
    """The call of the block opening at `text[start]`, and the index where the text after the block begins; `end`
    is the index of the first `</tool_call>` after the opening tag, or -1."""
    body_start = start + len(OPEN_TAG)
    exact = _read_exact(text, start)
    if exact is not None:
        return exact
    following = text.find(OPEN_TAG, body_start)
    if end < 0 or 0 <= following < end:  # cut off, or the next call began before this one closed
        stop = following if following >= 0 else len(text)
        return issue(text[start:stop], UNCLOSED), stop
    return read_body(text[body_start:end], text[start:end + len(CLOSE_TAG)]), end + len(CLOSE_TAG)


def _read_exact(text: str, start: int) -> tuple[ToolCall | ParseIssue, int] | None:
    """The common case: a JSON object right after the tag, the closing tag right after it. Decoding before looking
    for the closing tag lets arguments that mention `</tool_call>` through. None when the lenient path is needed."""
    at = skip_whitespace(text, start + len(OPEN_TAG))
    if not text.startswith("{", at):
        return None
    decoded = decode_json(text, at)
    if isinstance(decoded, str):
        return None
    obj, end = decoded
    close = skip_whitespace(text, end)
    if not text.startswith(CLOSE_TAG, close):
        return None
    after = close + len(CLOSE_TAG)
    return call_from_object(obj, text[start:after]), after


def read_body(body: str, fragment: str) -> ToolCall | ParseIssue:
    """The call in the text between the tags; `fragment` (the whole block) is quoted if it cannot be read."""
    body = strip_code_fence(body.strip())
    if not body:
        return issue(fragment, EMPTY)
    decoded = decode_json(body)
    if isinstance(decoded, str):
        return issue(fragment, decoded)
    obj, end = decoded
    if end != len(body):  # e.g. two objects in one tag: which one was meant is a guess, so report it
        return issue(fragment, TRAILING.format(len(body) - len(body[end:].lstrip())))
    return call_from_object(obj, fragment)


def _stray_closes(text: str, content: list[str], issues: list[ParseIssue]) -> None:
    """Add `text` (outside any block) to the content, reporting and removing each `</tool_call>` in it."""
    if CLOSE_TAG not in text:
        content.append(text)
        return
    pieces = text.split(CLOSE_TAG)
    for before in pieces[:-1]:
        issues.append(issue(before[-FRAGMENT_TAIL:] + CLOSE_TAG, STRAY_CLOSE))
    content.append("".join(pieces))


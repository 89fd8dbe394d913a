"""Llama 3.x JSON tool calls: the completion is `{"name": ..., "parameters": {...}}` ("arguments" also accepted),
optionally after `<|python_tag|>`, several calls separated by `;` (or whitespace).

The format has no delimiter of its own, so a JSON answer and a call look alike. The rule: after `<|python_tag|>`
the model has committed to a call, and anything unreadable is an issue; without the tag, the completion is a call
only if it *starts* with a JSON object that has a top-level "name". A plain answer (including a JSON answer without
"name") is content and no issue; text that starts like a call (`{` ... `"name":`) but is not valid JSON is an issue.
Text after the last call is content.

>>> LlamaJsonParser().parse('<|python_tag|>{"name": "f", "parameters": {"x": 1}}; {"name": "g"}').calls
(ToolCall(name='f', arguments='{"x": 1}', id=None), ToolCall(name='g', arguments='{}', id=None))
"""

from __future__ import annotations

import re

from toolgym.models.calls import ParseIssue, ToolCall
from toolgym.parsing.base import Reading, TextParser, call_from_object, collect, decode_json, issue, strip_code_fence

PYTHON_TAG = "<|python_tag|>"
END_TOKENS = ("<|eom_id|>", "<|eot_id|>")  # left in when a server keeps special tokens; never part of a call
SEPARATORS = " \t\r\n;"
NOT_AN_OBJECT = f"expected a JSON call object after {PYTHON_TAG}"

_NAME_KEY = re.compile(r'"name"\s*:')


class LlamaJsonParser(TextParser):
    """Reads Llama 3.x JSON tool calls."""

    name = "llama3_json"

    def read_calls(self, text: str) -> Reading:
        """The calls at the start of `text` (or after `<|python_tag|>`), and the text around them."""
        body = _clean(text)
        if not body.startswith(PYTHON_TAG) and _starts_like_call(body):  # checked first: a call's arguments may
            return _read_sequence(body, committed=False)                 # mention <|python_tag|>
        tag = text.find(PYTHON_TAG)
        if tag < 0:
            return Reading(text, [], [])
        body = _clean(text[tag + len(PYTHON_TAG):])
        if not body:
            return Reading(text[:tag], [], [issue(PYTHON_TAG, NOT_AN_OBJECT)])
        content, calls, issues = _read_sequence(body, committed=True)
        return Reading(text[:tag] + content, calls, issues)


def _clean(text: str) -> str:
    """`text` stripped of whitespace, trailing end tokens and a code fence around it."""
    return strip_code_fence(_strip_end_tokens(text.strip()))


def _starts_like_call(body: str) -> bool:
    """Whether untagged text is meant as a call: it opens with `{` and either decodes to an object with a "name"
    or fails to decode while a "name" key appears (a broken call rather than prose)."""
    if not body.startswith("{"):
        return False
    decoded = decode_json(body)
    if isinstance(decoded, str):
        return _NAME_KEY.search(body) is not None
    obj = decoded[0]
    return isinstance(obj, dict) and "name" in obj


def _read_sequence(body: str, committed: bool) -> Reading:
    """Calls separated by `;` from the start of `body`; what follows the last one is content."""
    calls: list[ToolCall] = []
    issues: list[ParseIssue] = []
    position = _skip_separators(body, 0)
    while position < len(body):
        if body[position] != "{":
            if committed and not calls and not issues:
                issues.append(issue(body[position:], NOT_AN_OBJECT))
                return Reading("", calls, issues)
            return Reading(body[position:], calls, issues)
        decoded = decode_json(body, position)
        if isinstance(decoded, str):  # the rest cannot be split reliably once one object is broken
            issues.append(issue(body[position:], decoded))
            return Reading("", calls, issues)
        obj, end = decoded
        collect(call_from_object(obj, body[position:end]), calls, issues)
        position = _skip_separators(body, end)
    return Reading("", calls, issues)


def _skip_separators(text: str, position: int) -> int:
    """The index of the first character at or after `position` that is not a separator."""
    while position < len(text) and text[position] in SEPARATORS:
        position += 1
    return position


def _strip_end_tokens(text: str) -> str:
    """`text` without trailing end-of-message tokens."""
    while text.endswith(END_TOKENS):
        text = text[: text.rfind("<|")].rstrip()
    return text

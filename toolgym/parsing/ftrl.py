"""The FTRL reference's reading of a Qwen completion, for `reward="ftrl"`: its reward's end-token strip followed by
its `parse_qwen`, restated. Not a format parser like the others: it reports nothing and drops what it cannot read,
because that is what the reference trains on.

The rules, in order:
- the completion is stripped, then a trailing `<|endoftext|>` and then a trailing `<|im_end|>` are removed (each
  once, stripping again after each);
- no `<tool_call>` anywhere: the whole text is the content, there are no calls;
- else the text from the first `<tool_call>` on is cut at every `</tool_call>`; a piece is a call when, stripped,
  it starts with `<tool_call>`, the rest (after the tag's characters and blanks) is one JSON object whose "name"
  is truthy and which has an "arguments" key holding an object or a string that decodes as JSON (any value).
  Every other piece is dropped silently: prose between calls, text after the last one, missing or null
  "arguments", "parameters" instead, a code fence inside the tag. An unclosed last `<tool_call>` still counts;
- with at least one call, the content is the text before the first `<tool_call>`; with none, the whole text
  (so the reward sees the failed tags and penalises the turn as malformed);
- `<think>` blocks are ordinary text: a call inside one runs, an answer inside one is judged.

A non-string name (a number) becomes its `str()`; such a call names no tool and fails when run, as in the
reference. Linear in the length of the completion.

>>> turn = FtrlParser().parse('Let me look.<tool_call>{"name": "f", "arguments": {"x": 1}}<|im_end|>')
>>> turn.content, turn.calls[0].name, turn.calls[0].arguments
('Let me look.', 'f', '{"x": 1}')
>>> FtrlParser().parse('<tool_call>{"name": "f"}</tool_call>').content  # no "arguments": dropped
'<tool_call>{"name": "f"}</tool_call>'
"""

from __future__ import annotations

import json
from typing import Any

from toolgym.models.calls import ParsedTurn, ToolCall, json_text
from toolgym.parsing.base import describe, issue

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"
END_TOKENS = ("<|endoftext|>", "<|im_end|>")  # removed in this order, as the reference's reward does

_UNREADABLE = object()  # not JSON (None would be JSON null)


def strip_end_tokens(text: str) -> str:
    """`text` stripped, without one trailing `<|endoftext|>` and then one trailing `<|im_end|>`.

    >>> strip_end_tokens(" 42<|im_end|><|endoftext|>\\n"), strip_end_tokens("42<|endoftext|><|im_end|>")
    ('42', '42<|endoftext|>')
    """
    text = text.strip()
    for token in END_TOKENS:
        text = text.removesuffix(token).strip()
    return text


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return _UNREADABLE


def read_call(piece: str) -> ToolCall | None:
    """The call in one piece of a completion cut at `</tool_call>`, or None when the reference drops it."""
    body = piece.strip()
    if not body.startswith(TOOL_CALL_OPEN):
        return None
    # str.lstrip takes a set of characters: the reference's tag removal also eats "<tool_call><tool_call>"
    obj = _json(body.lstrip(TOOL_CALL_OPEN).strip())
    if type(obj) is not dict or not obj.get("name") or "arguments" not in obj:
        return None
    arguments = obj["arguments"]
    if type(arguments) is not dict:
        arguments = _json(arguments) if type(arguments) is str else _UNREADABLE
        if arguments is _UNREADABLE:
            return None
    try:
        text = json_text(arguments)
    except RecursionError:  # nested too deeply to encode again
        return None
    name = obj["name"] if type(obj["name"]) is str else str(obj["name"])
    if type(arguments) is dict:
        return ToolCall.parsed(name, text, arguments)
    return ToolCall(name, text)


class FtrlParser:
    """Reads a completion as the FTRL reference does (see the module docstring). Never raises, never reports."""

    name = "ftrl"

    def parse(self, text: str) -> ParsedTurn:
        """The content and calls of one completion, the reference's way."""
        if not isinstance(text, str):  # the protocol says str; a caller's slip is still reported, not raised
            return ParsedTurn("", issues=(issue(describe(text), f"expected completion text (str), got "
                                                               f"{type(text).__name__}"),))
        text = strip_end_tokens(text)
        start = text.find(TOOL_CALL_OPEN)
        if start < 0:
            return ParsedTurn(text)
        calls = tuple(call for piece in text[start:].split(TOOL_CALL_CLOSE) if (call := read_call(piece)))
        if not calls:
            return ParsedTurn(text)
        return ParsedTurn(text[:start].strip(), calls)

    def __repr__(self) -> str:
        return "FtrlParser()"

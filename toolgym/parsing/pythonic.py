"""Pythonic tool calls (Llama 3.2/4, vLLM's `pythonic` parser): `[get_weather(city="Paris", days=3), g(x=[1, 2])]`.

A call list is a `[` at the start of a line (or after `<|python_start|>`) followed directly by `name(`; text around
it is content. The list is split at its top-level commas by a small scanner that knows Python string literals, and
each call is read with `ast`: only keyword arguments with literal values (strings, numbers, True/False/None and
JSON's true/false/null, lists, tuples, dicts) are accepted. Nothing is evaluated. Tool names may contain `-` or
start with a digit (`^[a-zA-Z0-9_-]{1,64}$` allows both, Python does not), so the name is read by the scanner and
only the argument list goes to `ast`.

>>> PythonicParser().parse('[get_weather(city="Paris", days=3)]').calls
(ToolCall(name='get_weather', arguments='{"city": "Paris", "days": 3}', id=None),)
"""

from __future__ import annotations

import ast
import re
from typing import Any

from toolgym.models.calls import ParseIssue, ToolCall
from toolgym.parsing.base import Reading, TextParser, call_from_object, collect, issue

PYTHON_START = "<|python_start|>"  # Llama 4 wraps tool calls in these when the server keeps special tokens
PYTHON_END = "<|python_end|>"
PLACEHOLDER = "_"  # stands in for the tool name so that any name (`get-weather`, `3d_view`) parses
UNCLOSED_LIST = "unclosed call list: no matching ']'"
UNBALANCED = "unbalanced brackets in the call list"
UNTERMINATED_STRING = "unterminated string in the call list"
NOT_A_CALL = "expected a call like name(key=value)"
EMPTY_ELEMENT = "empty element in the call list"
POSITIONAL = "positional arguments are not supported: write key=value"
UNPACKING = "**-unpacking is not supported: write key=value"
REPEATED = "keyword argument repeated: {!r}"
TOO_DEEP = "invalid call syntax: nested too deeply"
JSON_NAMES = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}

_LIST_START = re.compile(r"(?:^|<\|python_start\|>)[ \t]*(\[)\s*[\w-]+\(", re.MULTILINE)
_CALL_HEAD = re.compile(r"\s*([\w-]+)\s*\(")
_STRUCTURE = re.compile(r"""["'()\[\]{},]""")
_STRINGS = {quote: re.compile(pattern, re.DOTALL) for quote, pattern in {
    '"""': r'"""(?:\\.|[^\\])*?"""', "'''": r"'''(?:\\.|[^\\])*?'''",
    '"': r'"(?:\\.|[^"\\\n])*"', "'": r"'(?:\\.|[^'\\\n])*'"}.items()}


class _NotLiteral(ValueError):
    """An argument value that is not a literal; caught in `_read_call` and turned into an issue."""


class PythonicParser(TextParser):
    """Reads pythonic call lists."""

    name = "pythonic"

    def read_calls(self, text: str) -> Reading:
        """The calls of every call list that starts a line, and the text around the lists."""
        if "(" not in text:
            return Reading(_outside(text), [], [])
        content: list[str] = []
        calls: list[ToolCall] = []
        issues: list[ParseIssue] = []
        position = 0
        while match := _LIST_START.search(text, position):
            start = match.start(1)
            content.append(_outside(text[position:start]))
            scanned = _scan_list(text, start)
            if isinstance(scanned, str):  # the rest cannot be split into calls once the list is broken
                issues.append(issue(text[start:], scanned))
                return Reading("".join(content), calls, issues)
            spans, end = scanned
            position = end + 1
            for index, (left, right) in enumerate(spans):
                element = text[left:right]
                if element.strip():
                    collect(_read_call(element), calls, issues)
                elif index < len(spans) - 1:  # only a trailing comma may leave an empty element, as in Python
                    issues.append(issue(text[start:position], EMPTY_ELEMENT))
        content.append(_outside(text[position:]))
        return Reading("".join(content), calls, issues)


def _outside(text: str) -> str:
    """Text outside the call lists, without Llama 4's markers (inside a list they may be part of a string)."""
    return text.replace(PYTHON_START, "").replace(PYTHON_END, "")


def _scan_list(text: str, start: int) -> tuple[list[tuple[int, int]], int] | str:
    """The spans of the top-level elements of the list opening at `text[start]` and the index of its `]`, or the
    reason it cannot be split."""
    depth, element, position = 0, start + 1, start + 1
    spans: list[tuple[int, int]] = []
    while match := _STRUCTURE.search(text, position):
        char, at = match.group(), match.start()
        if char in "\"'":
            position = _string_end(text, at)
            if position < 0:
                return UNTERMINATED_STRING
            continue
        position = at + 1
        if char in "([{":
            depth += 1
        elif char == ",":
            if depth == 0:
                spans.append((element, at))
                element = position
        elif depth:
            depth -= 1
        elif char == "]":
            spans.append((element, at))
            return spans, at
        else:
            return UNBALANCED
    return UNCLOSED_LIST


def _string_end(text: str, at: int) -> int:
    """The index after the Python string literal opening at `text[at]`, or -1 if it never ends."""
    quote = text[at] * 3 if text.startswith(text[at] * 3, at) else text[at]
    match = _STRINGS[quote].match(text, at)
    return match.end() if match else -1


def _read_call(source: str) -> ToolCall | ParseIssue:
    """One `name(key=value, ...)` element of a call list."""
    head = _CALL_HEAD.match(source)
    if head is None:
        return issue(source, NOT_A_CALL)
    name = head.group(1)
    try:
        node = ast.parse(PLACEHOLDER + source[head.end() - 1:].strip(), mode="eval").body
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == PLACEHOLDER):
            return issue(source, NOT_A_CALL)
        if node.args:
            return issue(source, POSITIONAL)
        keys = [keyword.arg for keyword in node.keywords]
        if None in keys:
            return issue(source, UNPACKING)
        if len(set(keys)) < len(keys):  # ast.parse leaves this check to the compiler, which never sees this code
            return issue(source, REPEATED.format(next(key for key in keys if keys.count(key) > 1)))
        arguments = {keyword.arg: _literal(keyword.value, keyword.arg) for keyword in node.keywords}
    except SyntaxError as error:
        return issue(source, f"invalid call syntax: {error.msg}")
    except _NotLiteral as error:
        return issue(source, str(error))
    except ValueError as error:  # e.g. null bytes, on Python versions that do not call them a SyntaxError
        return issue(source, f"invalid call syntax: {error}")
    except (RecursionError, MemoryError):  # nesting deep enough to exhaust the parser
        return issue(source, TOO_DEEP)
    return call_from_object({"name": name, "arguments": arguments}, source)


def _literal(node: ast.expr, argument: str | None) -> Any:
    """The JSON value of a literal expression; raises `_NotLiteral` naming the argument otherwise."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (str, int, float))):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(item, argument) for item in node.elts]
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_key(key, argument): _literal(value, argument) for key, value in zip(node.keys, node.values)}
    if isinstance(node, ast.Name) and node.id in JSON_NAMES:
        return JSON_NAMES[node.id]
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float)):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    raise _NotLiteral(f"only literal values are allowed: argument {argument!r} contains {_kind(node)}")


def _kind(node: ast.expr) -> str:
    """What a non-literal expression is, in words."""
    if isinstance(node, ast.Name):
        return f"the name {node.id!r}"
    if isinstance(node, ast.Constant):
        return f"a {type(node.value).__name__} value"
    return f"a {type(node).__name__} expression"


def _key(node: ast.expr, argument: str | None) -> str | int | float | bool | None:
    """A dict key: a scalar literal (json.dumps turns it into a string)."""
    key = _literal(node, argument)
    if isinstance(key, (list, dict)):
        raise _NotLiteral(f"only scalar dict keys are allowed: argument {argument!r}")
    return key

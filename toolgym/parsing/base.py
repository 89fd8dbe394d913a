"""What every parser shares: the `Parser` protocol, the text-parser skeleton and the rules that turn a decoded
call object into a `ToolCall` or a `ParseIssue`.

The rules, in one place so that every format applies them alike:
- `name` must be present and a non-blank string, else the call is a `ParseIssue` (it is never dropped silently);
- arguments are read from "arguments" (OpenAI, Qwen, HF), else "parameters" (Llama 3). A JSON object becomes
  `json.dumps(obj, ensure_ascii=False)`; a string is kept verbatim, even when it is not valid JSON (the executor
  reports that back to the model); any other value (a list, a number) is kept as its JSON text, which the executor
  rejects; missing or null arguments mean `{}` (a call of a tool without parameters);
- a string `id` is kept; a missing or non-string id becomes None and the env assigns `call_{turn}_{index}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol, runtime_checkable

from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall, json_text
from toolgym.parsing.reasoning import split_reasoning

FRAGMENT_LIMIT = 200  # characters of offending text quoted back to the model: enough to locate, short enough to read
ELLIPSIS = "…"
NO_ARGUMENTS = "{}"
DECODE_WINDOW = 1024  # characters decoded at first: most calls fit; a longer one widens the window 4x at a time
CUT_MARGIN = 8  # an error this close to the window's end may be a cut literal ("tr|ue", "\\u00|e9") rather than bad JSON
INT_TOO_LONG = "invalid JSON: an integer has more digits than Python converts (sys.get_int_max_str_digits())"

CODE_FENCE = "```"
_FENCE_LANGUAGE = re.compile(r"[\w+-]*")  # the info string after the opening fence ("json", "c++", "tool-call")
_NOT_WHITESPACE = re.compile(r"\S")
_JSON_DECODER = json.JSONDecoder()


@runtime_checkable
class Parser(Protocol):
    """Reads one assistant completion in one format. `parse` never raises: what it cannot read is a `ParseIssue`."""

    name: str

    def parse(self, text: str) -> ParsedTurn:
        """The content, calls, issues and reasoning of `text`."""
        ...


class Reading(NamedTuple):
    """What a format reads from a completion once the reasoning is removed."""

    content: str
    calls: list[ToolCall]
    issues: list[ParseIssue]


class TextParser:
    """Skeleton of the text parsers: split the `<think>` reasoning off in one shared place, then let the format
    read its calls from the rest (`read_calls`)."""

    name: str = ""

    def parse(self, text: str) -> ParsedTurn:
        """The content, calls, issues and reasoning of one completion; never raises."""
        if not isinstance(text, str):  # the protocol says str; a caller's slip is still reported, not raised
            return ParsedTurn("", issues=(issue(describe(text), f"expected completion text (str), got "
                                                               f"{type(text).__name__}"),))
        answer, reasoning, think_issue = split_reasoning(text)
        content, calls, issues = self.read_calls(answer)
        if think_issue is not None:
            issues = [issue(*think_issue), *issues]
        return ParsedTurn(content.strip(), tuple(calls), tuple(issues), reasoning)

    def read_calls(self, text: str) -> Reading:
        """The format's own part: the calls in `text` (reasoning already removed) and the text around them."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def truncate(text: str, limit: int = FRAGMENT_LIMIT) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def issue(fragment: str, reason: str) -> ParseIssue:
    """A `ParseIssue` quoting at most `FRAGMENT_LIMIT` characters of the stripped fragment."""
    return ParseIssue(truncate(fragment.strip()), reason)


def describe(value: object) -> str:
    """A short, safe text form of an arbitrary value, for the fragment of an issue."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):  # circular or too deep: the type name still helps
        text = f"<{type(value).__name__}>"
    return truncate(text)


def json_error(error: json.JSONDecodeError, offset: int = 0) -> str:
    """The reason for a JSON decoding error, its position counted from `offset` (the start of the fragment)."""
    return f"invalid JSON: {error.msg} at char {error.pos - offset}"


def skip_whitespace(text: str, position: int) -> int:
    """The index of the first non-whitespace character at or after `position`, or `len(text)`."""
    if position < len(text) and not text[position].isspace():  # the usual case, without the regex
        return position
    match = _NOT_WHITESPACE.search(text, position)
    return match.start() if match else len(text)


def strip_code_fence(text: str) -> str:
    """`text` without a Markdown code fence around it (```json ... ```), which models add out of habit.

    Linear in `text`: no backtracking regex spans the body, whatever it holds.

    >>> strip_code_fence('```json\\n{"name": "f"}\\n```')
    '{"name": "f"}'
    """
    fence = len(CODE_FENCE)
    if len(text) < 2 * fence or not (text.startswith(CODE_FENCE) and text.endswith(CODE_FENCE)):
        return text
    inner = text[fence:-fence]
    return inner[_FENCE_LANGUAGE.match(inner).end():].strip()


def decode_json(text: str, start: int = 0) -> tuple[Any, int] | str:
    """The JSON value starting exactly at `start` and the index after it, or the reason it cannot be read.

    Linear in how far the value reaches, not in where it starts: `json` counts the lines before an error's position
    from the start of the string it was given, so a decoder called at many offsets of one long text (many broken
    calls) would be quadratic. Past the first `DECODE_WINDOW` characters it is given a window from `start`
    instead, widened while the value may run past it.
    """
    window = DECODE_WINDOW
    while True:
        whole = len(text) <= start + window
        piece, offset = (text, start) if whole and start <= DECODE_WINDOW else (text[start:start + window], 0)
        try:
            value, end = _JSON_DECODER.raw_decode(piece, offset)
        except json.JSONDecodeError as error:
            if whole or not _maybe_cut(error, piece):
                return json_error(error, offset)
        except RecursionError:  # json recurses per nesting level; a pathological input must not crash the step
            return "invalid JSON: nested too deeply"
        except ValueError:  # Python's int-string limit (sys.get_int_max_str_digits, 4,300 digits by default)
            return INT_TOO_LONG
        else:
            if whole or end < len(piece):  # a value ending at the window's edge (a number) may go on after it
                return value, start + end - offset
        window *= 4


def _maybe_cut(error: json.JSONDecodeError, piece: str) -> bool:
    """Whether a decoding error may be due to the window's end rather than to the text."""
    return error.pos >= len(piece) - CUT_MARGIN or error.msg.startswith("Unterminated string")


def arguments_text(value: object) -> str | None:
    """The wire form of a call's arguments (see the module docstring), or None if they cannot be serialised."""
    if isinstance(value, str):
        return value
    if value is None:
        return NO_ARGUMENTS
    try:
        return json_text(value)
    except (TypeError, ValueError, RecursionError):  # non-JSON objects, circular or absurdly deep structures
        return None


def call_from_object(obj: object, fragment: str | None = None, *, id: object = None) -> ToolCall | ParseIssue:
    """A call from a decoded `{"name": ..., "arguments"|"parameters": ...}` object, or the issue that prevents it.

    `fragment` is the text quoted in an issue (default: the object itself); `id` overrides the object's own id.
    """
    if type(obj) is not dict and not isinstance(obj, Mapping):  # the exact-type test spares the ABC check (~0.3 µs)
        return issue(fragment or describe(obj), f"expected a JSON object with 'name' and 'arguments', "
                                                f"got {type(obj).__name__}")
    name = obj.get("name")
    if name is None:
        return issue(fragment or describe(obj), "missing 'name'")
    if not isinstance(name, str):
        return issue(fragment or describe(obj), f"'name' must be a string, got {type(name).__name__}")
    if not name.strip():
        return issue(fragment or describe(obj), "empty 'name'")
    value = obj["arguments"] if "arguments" in obj else obj.get("parameters")
    arguments = arguments_text(value)
    if arguments is None:
        return issue(fragment or describe(obj), f"arguments of {name!r} are not JSON-serialisable")
    call_id = id if id is not None else obj.get("id")
    call_id = call_id if isinstance(call_id, str) and call_id else None
    if isinstance(value, dict):  # already decoded: the executor need not decode the text again
        return ToolCall.parsed(name, arguments, value, call_id)
    return ToolCall(name, arguments, call_id)


def collect(result: ToolCall | ParseIssue, calls: list[ToolCall], issues: list[ParseIssue]) -> None:
    """Append a call to `calls` or an issue to `issues`."""
    if isinstance(result, ToolCall):
        calls.append(result)
    else:
        issues.append(result)

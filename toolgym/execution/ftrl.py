"""Running a call the way the FTRL reference does, for `reward="ftrl"`: its `get_feedback` / `call_function`
restated. Three differences from toolgym's own way (`arguments`, `render`), all of which can change a reward:

- no schema check: the tool runs on whatever arguments the call carries ({"year": null} included), and Python's
  own error comes back (`add() missing 1 required positional argument: 'b'`, whose "1" may solve a sub-answer);
- an error's text is the exception's message alone, without its type name;
- a value renders as JSON only when its type is exactly `dict` or `list` (a tuple, an `OrderedDict` or a set
  renders by `str()`), and a value JSON cannot encode (a set inside a dict) is an error, as the reference's
  `json.dumps` raises inside its try.

>>> ftrl_render({"a": (1, 2)}), ftrl_render((1, 2))
('{"a": [1, 2]}', '(1, 2)')
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from toolgym.execution.render import error_message
from toolgym.models.calls import ToolCall, ToolResult

# The module the reference's tools are exec'd in; Python names it when a call's arguments are not a mapping.
REFERENCE_MODULE = "utils.utils"
_JSON_RENDERED = (dict, list)  # exact types, not subclasses: the reference tests `type(value) == dict`


def ftrl_arguments(call: ToolCall) -> dict[str, Any] | ToolResult:
    """The call's arguments as a dict, unchecked, or the reference's error when they are no JSON object."""
    if call.decoded is not None:
        return dict(call.decoded)
    try:
        value = json.loads(call.arguments)
    except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
        return ToolResult(error_message(call.name, str(e)), "invalid_json")
    if type(value) is not dict:  # Python's message for f(**value), naming the function as the reference's does
        detail = (f"{REFERENCE_MODULE}.{call.name}() argument after ** must be a mapping, "
                  f"not {type(value).__name__}")
        return ToolResult(error_message(call.name, detail), "invalid_arguments")
    return value


def ftrl_render(value: Any) -> str:
    """The reference's text for a return value; raises what `json.dumps` or `str` raise."""
    if type(value) in _JSON_RENDERED:
        return json.dumps(value, ensure_ascii=False)  # not json_text: its circular-reference error differs
    return str(value)


def exception_text(error: BaseException) -> str:
    """`str(error)`, as the reference words a failure; the type name if even that fails."""
    try:
        return str(error)
    except Exception:  # a tool's exception with a broken __str__
        return type(error).__name__


def ftrl_invoke(name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
    """Call the tool and render its value as the reference does; any failure, rendering included, is feedback."""
    try:
        return ToolResult(ftrl_render(function(**args)))
    except (Exception, SystemExit) as e:  # SystemExit too: a tool calling exit() must not end the episode
        return ToolResult(error_message(name, exception_text(e)), "exception")

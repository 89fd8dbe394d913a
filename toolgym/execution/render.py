"""Turning a tool's return value, or a failure, into the text of a tool message, as the FTRL reference does.

>>> render({"city": "Zorvik", "temp": 12})
'{"city": "Zorvik", "temp": 12}'
>>> render(12.5), render(None), render(("a", 1))
('12.5', 'None', '["a", 1]')
>>> error_message("get_weather", "missing required argument 'city'")
"an error occured when call get_weather: missing required argument 'city'"
"""

from __future__ import annotations

from typing import Any

from toolgym.models.calls import json_text

# The reference's wording, misspelling included: trained policies and the `ftrl` matching expect exactly this.
ERROR_TEMPLATE = "an error occured when call {name}: {detail}"

_JSON_RENDERED = (dict, list, tuple)


def render(value: Any) -> str:
    """The text of a tool message for `value`: JSON for dict/list/tuple, `str()` otherwise; never raises.

    A container JSON cannot encode (a set inside, a circular reference, non-string keys of odd types) falls back to
    `str()`, and an object whose `str()` itself fails is named by its type.
    """
    if isinstance(value, _JSON_RENDERED):
        try:
            return json_text(value)
        except (TypeError, ValueError, RecursionError):  # unencodable, circular, or too deep: fall back to str()
            pass
    try:
        return str(value)
    except Exception:  # a broken __str__ in tool code must not break the episode
        return f"<unprintable {type(value).__name__} object>"


def error_message(tool_name: str, detail: str) -> str:
    """The tool message for a failed call, in the reference's form `an error occured when call <name>: <detail>`."""
    return ERROR_TEMPLATE.format(name=tool_name, detail=detail)


def describe_exception(error: BaseException) -> str:
    """`TypeName: message` (just `TypeName` when the message is empty); never raises."""
    name = type(error).__name__
    try:
        text = str(error)
    except Exception:  # an exception whose __str__ fails is still reported, by its type
        text = ""
    return f"{name}: {text}" if text else name


MAX_TOOL_MESSAGE_CHARS = 16_384  # far above any generated tool's output; a flood (a huge argument echoed back in
#                                  "Error: unknown city '...'") must not flood the conversation


def clipped(text: str, limit: int = MAX_TOOL_MESSAGE_CHARS) -> str:
    """`text` cut to its first `limit` characters, saying how much was cut.

    >>> clipped("x" * 20, 8)
    'xxxxxxxx… [12 more characters cut]'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters cut]"

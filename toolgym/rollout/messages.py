"""Talking to models: the two forms of tool-call arguments, tools written into the prompt, and `--parser auto`.

Which argument form where:
- the env's observations, OpenAI servers and the JSONL trajectories use the **OpenAI form**: `arguments` is a
  JSON *string* (`'{"city": "Paris"}'`);
- Hugging Face chat templates (Qwen2.5, Llama 3, SmolLM2, ...) expect the **HF form**: `arguments` a *dict*;
  given a string they encode it a second time (`"arguments": "{\\"city\\": ...}"`), and the model learns
  escaped JSON. `to_hf_messages` converts before `apply_chat_template`; `to_openai_messages` converts back.

Tools in the prompt: a server whose chat template ignores `tools=` (e.g. `transformers serve` with SmolLM2) only
shows the model the tools written into a system message. `tools_system_message` writes them in the convention of
the parser that will read the answer, so the instruction and the parser agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from toolgym.errors import UnknownNameError
from toolgym.models.calls import ParsedTurn
from toolgym.parsing import PARSERS, get_parser

AUTO = "auto"
NONE = "none"


def to_hf_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-form messages → HF form (`tool_calls[].function.arguments` a dict); arguments that are not a JSON
    object stay text. New dicts; the input is not changed.

    >>> to_hf_messages([{"role": "assistant", "content": "", "tool_calls": [{"id": "c", "type": "function",
    ...     "function": {"name": "f", "arguments": '{"x": 1}'}}]}])[0]["tool_calls"][0]["function"]
    {'name': 'f', 'arguments': {'x': 1}}
    """
    return [_convert_calls(m, _as_dict) for m in messages]


def to_openai_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """HF-form messages → OpenAI form (arguments as JSON text). The inverse of `to_hf_messages`.

    >>> to_openai_messages([{"role": "assistant", "content": "", "tool_calls": [{"id": "c", "type": "function",
    ...     "function": {"name": "f", "arguments": {"x": 1}}}]}])[0]["tool_calls"][0]["function"]["arguments"]
    '{"x": 1}'
    """
    return [_convert_calls(m, _as_text) for m in messages]


def _convert_calls(message: Mapping[str, Any], convert: Any) -> dict[str, Any]:
    copy = dict(message)
    if isinstance(copy.get("tool_calls"), list):
        copy["tool_calls"] = [_convert_call(c, convert) for c in copy["tool_calls"]]
    return copy


def _convert_call(call: Any, convert: Any) -> Any:
    if not isinstance(call, Mapping) or not isinstance(call.get("function"), Mapping):
        return call
    function = dict(call["function"])
    function["arguments"] = convert(function.get("arguments"))
    return {**call, "function": function}


def _as_dict(arguments: Any) -> Any:
    if not isinstance(arguments, str):
        return arguments
    try:
        decoded = json.loads(arguments)
    except json.JSONDecodeError:  # a malformed call stays as the model wrote it
        return arguments
    return decoded if isinstance(decoded, dict) else arguments


def _as_text(arguments: Any) -> Any:
    return json.dumps(arguments, ensure_ascii=False) if isinstance(arguments, dict) else arguments


# -- tools in the prompt ---------------------------------------------------------------------------------------

_HERMES = (
    "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML "
    "tags. You may call one or more functions to assist with the user query. Don't make assumptions about what "
    "values to plug into functions.\n<tools>\n{tools}\n</tools>\n\nFor each function call, return a json object "
    "with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{{"name": <function-name>, "arguments": <args-json-object>}}\n</tool_call>')
_LLAMA3 = (
    "You have access to the following functions. To call a function, respond with only a JSON object of the form "
    '{{"name": function name, "parameters": dictionary of argument name and its value}}; several calls are '
    "separated by ';'. Do not use variables.\n\n{tools}")
_MISTRAL = (
    "You can call these functions:\n{tools}\n\nTo call functions, respond with [TOOL_CALLS] followed by a JSON list "
    'of calls: [TOOL_CALLS][{{"name": "f", "arguments": {{...}}}}]')
_PYTHONIC = (
    "You can call these functions:\n{tools}\n\nTo call functions, respond with only a Python list of calls with "
    'keyword arguments, e.g. [get_weather(city="Paris"), get_time(zone="UTC")].')
TOOL_PROMPTS = {"hermes": _HERMES, "llama3_json": _LLAMA3, "mistral": _MISTRAL, "pythonic": _PYTHONIC}


def tools_prompt_style(tools_in_prompt: str, parser: str) -> str | None:
    """The prompt convention to use: `auto` follows the parser (hermes for `auto`), `none` writes no tools."""
    if tools_in_prompt == NONE:
        return None
    style = tools_in_prompt if tools_in_prompt != AUTO else ("hermes" if parser == AUTO else parser)
    if style not in TOOL_PROMPTS:
        raise UnknownNameError("tools-in-prompt style", style, [*TOOL_PROMPTS, AUTO, NONE])
    return style


def tools_system_message(tools: Sequence[Mapping[str, Any]], style: str) -> dict[str, str]:
    """The system message that shows `tools` (OpenAI tool dicts) to the model in `style`'s convention.

    >>> message = tools_system_message([{"type": "function", "function": {"name": "f"}}], "hermes")
    >>> message["content"].splitlines()[-2:]
    ['{"name": <function-name>, "arguments": <args-json-object>}', '</tool_call>']
    """
    if style not in TOOL_PROMPTS:
        raise UnknownNameError("tools-in-prompt style", style, list(TOOL_PROMPTS))
    lines = "\n".join(json.dumps(t, ensure_ascii=False) for t in tools)
    return {"role": "system", "content": TOOL_PROMPTS[style].format(tools=lines)}


def with_tools_prompt(messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
                      style: str | None) -> list[dict[str, Any]]:
    """`messages` with the tools' system message first (merged into an existing system message)."""
    out = [dict(m) for m in messages]
    if style is None:
        return out
    system = tools_system_message(tools, style)
    if out and out[0].get("role") == "system":
        out[0]["content"] = f"{out[0].get('content') or ''}\n\n{system['content']}".strip()
        return out
    return [system, *out]


# -- --parser auto ---------------------------------------------------------------------------------------------

class AutoParser:
    """Tries every known format and keeps the best reading: clean calls first, then calls with issues, then
    issues alone (something looked like a call), else plain text. Ties go to the order of `PARSERS` (hermes
    first), so a completion that is valid in two formats reads the same every time."""

    name = AUTO

    def parse(self, text: str) -> ParsedTurn:
        readings = [parser.parse(text) for parser in PARSERS.values()]
        return min(readings, key=_rank)

    def __repr__(self) -> str:
        return "AutoParser()"


def _rank(turn: ParsedTurn) -> int:
    if turn.calls and not turn.issues:
        return 0
    if turn.calls:
        return 1
    return 2 if turn.issues else 3


def resolve_parser(name: str) -> Any:
    """The parser called `name`, or the `AutoParser` for 'auto'."""
    return AutoParser() if name == AUTO else get_parser(name)

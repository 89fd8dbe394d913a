"""Parsers: one assistant turn (raw text, a message dict, or a list of calls) → a `ParsedTurn`.

One module per text format, named like vLLM's tool parsers (`hermes`, `llama3_json`, `mistral`, `pythonic`), each
a `TextParser` that reads only its own call syntax; `<think>` reasoning is split off before, in one shared place
(`reasoning.py`), and the rules that make a call from a decoded object live in one place too (`base.py`).
`structured.py` reads messages and call lists that arrive already parsed. A parse failure is data: whatever looks
like a call but cannot be read becomes a `ParseIssue` (which part, why) that the env reports back to the model; no
parser raises, whatever the input, and none drops a malformed call silently. `parse_action` is the env's one
entry point. The exception is `ftrl.py`, the FTRL reference's own reading for `reward="ftrl"`, which drops what
it cannot read silently, as the reference does; it is the preset's parser, not a registered format.

>>> turn = parse_action('<think>Weather first.</think><tool_call>{"name": "get_weather", '
...                     '"arguments": {"city": "Paris"}}</tool_call>', get_parser("hermes"))
>>> turn.reasoning, turn.calls[0].name, turn.calls[0].arguments
('Weather first.', 'get_weather', '{"city": "Paris"}')
"""

from __future__ import annotations

from collections.abc import Mapping

from toolgym.errors import UnknownNameError
from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall
from toolgym.parsing.base import Parser, TextParser, describe, issue
from toolgym.parsing.hermes import HermesParser
from toolgym.parsing.llama3_json import LlamaJsonParser
from toolgym.parsing.mistral import MistralParser
from toolgym.parsing.pythonic import PythonicParser
from toolgym.parsing.structured import parse_calls, parse_message

PARSERS: dict[str, Parser] = {parser.name: parser for parser in (
    HermesParser(), LlamaJsonParser(), MistralParser(), PythonicParser())}
MAX_CALLS_PER_TURN = 32  # far above what a task needs in one turn (a gold turn has a handful), far below a flood
OVER_LIMIT = "{} more calls in this turn were not run: at most {} calls are run per turn"
MORE_ISSUES = "{} more unreadable calls in this turn (only the first {} are listed)"
NOT_AN_ACTION = ("expected an action: completion text (str), an assistant message dict, or a list of tool calls; "
                 "got {}")

__all__ = ["MAX_CALLS_PER_TURN", "PARSERS", "HermesParser", "LlamaJsonParser", "MistralParser", "ParsedTurn", "ParseIssue", "Parser",
           "PythonicParser", "TextParser", "ToolCall", "get_parser", "limit_calls", "parse_action"]


def get_parser(name: str) -> Parser:
    """The registered parser called `name`.

    >>> get_parser("hermes").name
    'hermes'
    """
    try:
        return PARSERS[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name is unknown too
        raise UnknownNameError("parser", str(name), list(PARSERS)) from None


def parse_action(action: object, parser: Parser) -> ParsedTurn:
    """Read one assistant turn: completion text (read by `parser`), an assistant message dict (its content read by
    `parser` when it has no `tool_calls`), a list of calls (`ToolCall`s or OpenAI/HF dicts) or a single `ToolCall`.
    Anything else is a `ParsedTurn` whose issue says what was expected; this never raises.

    >>> parse_action(None, get_parser("hermes")).issues[0].reason
    'expected an action: completion text (str), an assistant message dict, or a list of tool calls; got NoneType'
    """
    if isinstance(action, str):
        return parser.parse(action)
    if isinstance(action, Mapping):
        return parse_message(action, parser)
    if isinstance(action, (list, tuple)):
        return parse_calls(action)
    if isinstance(action, ToolCall):
        return parse_calls([action])
    return ParsedTurn("", issues=(issue(describe(action), NOT_AN_ACTION.format(type(action).__name__)),))


def limit_calls(turn: ParsedTurn, limit: int = MAX_CALLS_PER_TURN) -> ParsedTurn:
    """`turn` with at most `limit` calls and `limit` listed issues. The calls past the limit are not run but
    reported in one issue quoting the first of them; the issues past it are summed up in one. Either way a flood
    costs the default reward one wasted call, not thousands.

    >>> turn = limit_calls(parse_action([ToolCall("f")] * 5, get_parser("hermes")), 2)
    >>> len(turn.calls), turn.issues[0].reason
    (2, '3 more calls in this turn were not run: at most 2 calls are run per turn')
    """
    if len(turn.calls) <= limit and len(turn.issues) <= limit:
        return turn
    issues = list(turn.issues[:limit])
    if len(turn.issues) > limit:
        issues.append(issue(turn.issues[limit].fragment, MORE_ISSUES.format(len(turn.issues) - limit, limit)))
    if len(turn.calls) > limit:
        extra = turn.calls[limit:]
        issues.append(issue(f"{extra[0].name}({extra[0].arguments})", OVER_LIMIT.format(len(extra), limit)))
    return ParsedTurn(turn.content, turn.calls[:limit], tuple(issues), turn.reasoning)

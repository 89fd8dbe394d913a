"""Properties of the parsers: any input gives a `ParsedTurn` (never an exception), and well-formed calls rendered in
each format parse back to the same name and arguments."""

from __future__ import annotations

import json
import keyword

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall
from toolgym.parsing import PARSERS, get_parser, parse_action
from toolgym.parsing.base import FRAGMENT_LIMIT

FUZZ = settings(max_examples=150, deadline=None)
ROUND_TRIP = settings(max_examples=60, deadline=None)

# Pieces of every format's syntax, so that random text often looks almost like a call.
SYNTAX = ["<tool_call>", "</tool_call>", "<think>", "</think>", "[TOOL_CALLS]", "[ARGS]", "[CALL_ID]",
          "<|python_tag|>", "<|python_start|>", "<|python_end|>", "<|eom_id|>", "</s>", "```json\n", "```",
          '{"name": "f", "arguments": {"x": 1}}', '{"name": ', '"arguments": ', '"parameters": ', '{"x": [1, 2]}',
          "[f(x=1)]", "[get-weather(", "f(", "x=", "=", "(", ")", "[", "]", "{", "}", ",", ";", ":", '"', "'",
          '"""', "\\", "\n", " ", "true", "null", "**", "1e999", "\x00", "é",
          "9" * 4400,  # past Python's int-string limit
          '<tool_call>{"name": "g", "arguments": {}}</tool_call>', '[TOOL_CALLS]g[ARGS]{"y": [1]}']

syntax_soup = st.lists(st.sampled_from(SYNTAX) | st.text(max_size=8), max_size=25).map("".join)
any_text = st.text() | syntax_soup

# Argument strings include the formats' own syntax: a call that mentions `</tool_call>` must still round-trip.
# Think tags excepted: every `<think>...</think>` pair is reasoning, even one inside a call (see reasoning.py).
strings = st.text(max_size=12) | st.sampled_from([piece for piece in SYNTAX if "think>" not in piece])
json_scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
                | st.floats(allow_nan=False, allow_infinity=False) | strings)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(strings, inner, max_size=3), max_leaves=8)
tool_names = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True)
json_arguments = st.dictionaries(strings, json_values, max_size=4)
identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s != "__debug__")
python_arguments = st.dictionaries(identifiers, json_values, max_size=4)

MESSAGE_KEYS = ["role", "content", "tool_calls", "function", "function_call", "name", "arguments", "parameters",
                "id", "type", "text", "reasoning", "reasoning_content"]
junk = st.recursive(json_scalars | any_text, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(MESSAGE_KEYS) | st.text(max_size=5), inner, max_size=4), max_leaves=12)
assistant_junk = st.fixed_dictionaries({"role": st.just("assistant")}, optional={
    key: junk for key in ("content", "tool_calls", "function_call", "reasoning_content", "reasoning")})


def assert_well_formed(turn: object) -> None:
    """The invariants every parse result keeps, whatever the input."""
    assert isinstance(turn, ParsedTurn)
    assert isinstance(turn.content, str) and turn.content == turn.content.strip()
    assert turn.reasoning is None or (isinstance(turn.reasoning, str) and turn.reasoning.strip())
    for call in turn.calls:
        assert isinstance(call, ToolCall) and isinstance(call.name, str) and call.name.strip()
        assert isinstance(call.arguments, str) and (call.id is None or isinstance(call.id, str))
    for issue in turn.issues:
        assert isinstance(issue, ParseIssue) and issue.reason and len(issue.fragment) <= FRAGMENT_LIMIT


# -- never an exception --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(text=any_text)
def test_any_text_gives_a_parsed_turn(name, text):
    assert_well_formed(PARSERS[name].parse(text))


@FUZZ
@given(action=junk | assistant_junk | st.lists(junk | assistant_junk, max_size=3))
def test_any_action_gives_a_parsed_turn(action):
    assert_well_formed(parse_action(action, get_parser("hermes")))


# -- round trips ---------------------------------------------------------------------------------------------------

def render_hermes(calls):
    return "\n".join(f'<tool_call>\n{json.dumps({"name": n, "arguments": a})}\n</tool_call>' for n, a in calls)


def render_llama3_json(calls):
    return "<|python_tag|>" + "; ".join(json.dumps({"name": n, "parameters": a}) for n, a in calls)


def render_llama3_json_untagged(calls):
    return "; ".join(json.dumps({"name": n, "parameters": a}) for n, a in calls)


def render_mistral_list(calls):
    return "[TOOL_CALLS] " + json.dumps([{"name": n, "arguments": a} for n, a in calls])


def render_mistral_args(calls):
    return "".join(f"[TOOL_CALLS]{n}[ARGS]{json.dumps(a, ensure_ascii=False)}" for n, a in calls)


def render_pythonic(calls):
    return "[" + ", ".join(f"{n}({', '.join(f'{k}={v!r}' for k, v in a.items())})" for n, a in calls) + "]"


TEXT_FORMATS = [("hermes", render_hermes), ("llama3_json", render_llama3_json),
                ("llama3_json", render_llama3_json_untagged), ("mistral", render_mistral_list),
                ("mistral", render_mistral_args)]


def decoded(turn: ParsedTurn) -> list[tuple[str, object]]:
    return [(call.name, json.loads(call.arguments)) for call in turn.calls]


def with_reasoning(rendered: str, reasoning: str | None) -> str:
    """`rendered` after a think block. A block is always put first when the calls mention a think tag: without one,
    a literal `</think>` is read as the end of a prompt-opened block (the one ambiguity the format leaves)."""
    if reasoning is None and "think>" not in rendered:
        return rendered
    return f"<think>{reasoning or ''}</think>\n{rendered}"


@pytest.mark.parametrize("name, render", TEXT_FORMATS, ids=[r.__name__ for _, r in TEXT_FORMATS])
@ROUND_TRIP
@given(calls=st.lists(st.tuples(tool_names, json_arguments), min_size=1, max_size=3),
       reasoning=st.none() | st.text(st.characters(blacklist_characters="<>"), min_size=1, max_size=30))
def test_rendered_calls_parse_back(name, render, calls, reasoning):
    turn = get_parser(name).parse(with_reasoning(render(calls), reasoning))
    assert turn.issues == () and decoded(turn) == calls and turn.content == ""


@ROUND_TRIP
@given(calls=st.lists(st.tuples(tool_names, python_arguments), min_size=1, max_size=3))
def test_pythonic_calls_parse_back(calls):
    turn = get_parser("pythonic").parse(with_reasoning(render_pythonic(calls), None))
    assert turn.issues == () and decoded(turn) == calls


@ROUND_TRIP
@given(calls=st.lists(st.tuples(tool_names, json_arguments), min_size=1, max_size=3), hf=st.booleans())
def test_structured_messages_parse_back(calls, hf):
    entries = [{"id": f"c{i}", "type": "function",
                "function": {"name": n, "arguments": a if hf else json.dumps(a)}} for i, (n, a) in enumerate(calls)]
    turn = parse_action({"role": "assistant", "content": None, "tool_calls": entries}, get_parser("hermes"))
    assert turn.issues == () and decoded(turn) == calls
    assert [c.id for c in turn.calls] == [e["id"] for e in entries]


@ROUND_TRIP
@given(calls=st.lists(st.tuples(tool_names, json_arguments), min_size=1, max_size=3))
def test_openai_wire_form_round_trips(calls):
    parsed = get_parser("hermes").parse(with_reasoning(render_hermes(calls), None)).calls
    wire = [call.openai(f"call_0_{i}") for i, call in enumerate(parsed)]
    again = parse_action(wire, get_parser("hermes")).calls
    assert [(c.name, c.arguments) for c in again] == [(c.name, c.arguments) for c in parsed]

"""Model output is hostile input: limits of Python itself must come back as issues, never as exceptions."""

import pytest

from toolgym.models.calls import ToolCall
from toolgym.parsing import MAX_CALLS_PER_TURN, MORE_ISSUES, OVER_LIMIT, get_parser, limit_calls, parse_action
from toolgym.parsing.base import INT_TOO_LONG, decode_json, strip_code_fence

HUGE = "1" * 4301  # one digit over Python's default int-string limit

HUGE_INT_CALLS = [
    ("hermes", f'<tool_call>{{"name": "f", "arguments": {{"x": {HUGE}}}}}</tool_call>'),
    ("llama3_json", f'{{"name": "f", "parameters": {{"x": {HUGE}}}}}'),
    ("llama3_json", f'<|python_tag|>{{"name": "f", "parameters": {{"x": {HUGE}}}}}'),
    ("mistral", f'[TOOL_CALLS][{{"name": "f", "arguments": {{"x": {HUGE}}}}}]'),
]


@pytest.mark.parametrize("name, text", HUGE_INT_CALLS)
def test_an_integer_over_the_int_string_limit_is_an_issue(name, text):
    turn = get_parser(name).parse(text)
    assert turn.calls == () and [i.reason for i in turn.issues] == [INT_TOO_LONG]


def test_the_args_form_keeps_unreadable_arguments_verbatim_for_the_executor():
    turn = get_parser("mistral").parse(f'[TOOL_CALLS]f[ARGS]{{"x": {HUGE}}}')
    assert turn.calls == (ToolCall("f", f'{{"x": {HUGE}}}'),)


def test_pythonic_huge_integer_is_an_issue():
    turn = get_parser("pythonic").parse(f"[f(x={HUGE})]")
    assert turn.calls == () and len(turn.issues) == 1


@pytest.mark.parametrize("text, expected", [
    ('```json\n{"a": 1}\n```', '{"a": 1}'), ("```\nx\n```", "x"), ("```c++ int x;```", "int x;"),
    ("```" + " " * 5000 + "x", "```" + " " * 5000 + "x"), ("``````", ""), ("`````", "`````"), ("plain", "plain"),
])
def test_strip_code_fence(text, expected):
    assert strip_code_fence(text) == expected


@pytest.mark.parametrize("text, start", [('{"a": "' + "x" * 5000 + '"}', 0), ("  [" + "1, " * 3000 + "2]", 2),
                                         ('{"a": true}', 0), ("12345", 0)])
def test_decoding_in_widening_windows_reads_long_values_whole(text, start):
    import json
    value, end = decode_json(text, start)
    assert value == json.loads(text) and end == len(text)


def test_decoding_reports_positions_from_the_start_of_the_value():
    assert decode_json('xx{"a" 1}', 2) == "invalid JSON: Expecting ':' delimiter at char 5"


def test_calls_past_the_limit_are_reported_not_run():
    turn = parse_action([ToolCall("f", '{"x": "' + "y" * 10_000 + '"}')] * 1000, get_parser("hermes"))
    limited = limit_calls(turn)
    assert len(limited.calls) == MAX_CALLS_PER_TURN
    assert [i.reason for i in limited.issues] == [OVER_LIMIT.format(1000 - MAX_CALLS_PER_TURN, MAX_CALLS_PER_TURN)]
    assert len(limited.issues[0].fragment) <= 200  # a huge argument is quoted by a bounded prefix
    assert limit_calls(turn, 1000) is turn


def test_a_flood_of_unreadable_calls_is_listed_up_to_the_cap():
    turn = limit_calls(get_parser("hermes").parse("<tool_call>{bad}</tool_call>" * 1000), 5)
    assert len(turn.issues) == 6 and turn.issues[-1].reason == MORE_ISSUES.format(995, 5)

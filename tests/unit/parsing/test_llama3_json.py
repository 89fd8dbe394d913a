import json

import pytest

from toolgym.models.calls import ParseIssue, ToolCall
from toolgym.parsing import get_parser
from toolgym.parsing.llama3_json import NOT_AN_OBJECT, LlamaJsonParser

parser = LlamaJsonParser()


def test_registered_under_its_vllm_name():
    assert get_parser("llama3_json") is not None and parser.name == "llama3_json"


def test_llama31_single_call_with_parameters():
    turn = parser.parse('{"name": "get_weather", "parameters": {"city": "Paris", "days": 3}}')
    assert turn.calls == (ToolCall("get_weather", '{"city": "Paris", "days": 3}'),)
    assert (turn.content, turn.issues) == ("", ())


def test_python_tag_and_end_token_and_several_calls():
    turn = parser.parse('<|python_tag|>{"name": "a", "parameters": {"x": 1}}; {"name": "b", "arguments": {}}'
                        '<|eom_id|>')
    assert turn.calls == (ToolCall("a", '{"x": 1}'), ToolCall("b", "{}"))


def test_calls_separated_by_newlines():
    turn = parser.parse('{"name": "a", "parameters": {}}\n{"name": "b", "parameters": {}}')
    assert [c.name for c in turn.calls] == ["a", "b"]


def test_llama32_type_field_is_ignored():
    turn = parser.parse('{"type": "function", "name": "f", "parameters": {"q": "x"}}')
    assert turn.calls == (ToolCall("f", '{"q": "x"}'),)


def test_code_fenced_call():
    turn = parser.parse('```json\n{"name": "f", "parameters": {"q": 1}}\n```')
    assert turn.calls == (ToolCall("f", '{"q": 1}'),)


@pytest.mark.parametrize("text", [
    "The weather in Paris is sunny.",
    '{"answer": 42}',
    '{"city": {"name": "Paris"}}',
    "[1, 2, 3]",
    "Use {braces} freely.",
])
def test_plain_answers_are_content_without_issue(text):
    turn = parser.parse(text)
    assert (turn.content, turn.calls, turn.issues) == (text, (), ())


def test_text_after_the_calls_is_content():
    turn = parser.parse('{"name": "f", "parameters": {}} I called f.')
    assert turn.content == "I called f." and [c.name for c in turn.calls] == ["f"]


def test_text_before_python_tag_is_content():
    turn = parser.parse('Searching now. <|python_tag|>{"name": "search", "parameters": {"q": "x"}}')
    assert turn.content == "Searching now." and turn.calls == (ToolCall("search", '{"q": "x"}'),)


def test_broken_call_object_is_an_issue():
    text = '{"name": "get_weather", "parameters": {"city": "Paris"'
    turn = parser.parse(text)
    assert turn.calls == ()
    assert turn.issues == (ParseIssue(text, "invalid JSON: Expecting ',' delimiter at char 54"),)


def test_broken_second_call_keeps_the_first():
    turn = parser.parse('{"name": "a", "parameters": {}}; {"name": "b", "parameters": {')
    assert [c.name for c in turn.calls] == ["a"]
    assert turn.issues[0].fragment == '{"name": "b", "parameters": {'
    assert turn.issues[0].reason.startswith("invalid JSON: ")


def test_second_object_without_name_is_an_issue():
    turn = parser.parse('{"name": "a", "parameters": {}}; {"parameters": {}}')
    assert [c.name for c in turn.calls] == ["a"] and [i.reason for i in turn.issues] == ["missing 'name'"]


@pytest.mark.parametrize("text", ["<|python_tag|>", '<|python_tag|>brave_search.call(query="x")'])
def test_python_tag_without_a_json_call_is_an_issue(text):
    turn = parser.parse(text)
    assert turn.calls == () and [i.reason for i in turn.issues] == [NOT_AN_OBJECT]


def test_string_parameters_kept_verbatim():
    turn = parser.parse('{"name": "f", "parameters": "{\\"a\\": 1"}')
    assert turn.calls == (ToolCall("f", '{"a": 1'),)


def test_think_then_call():
    turn = parser.parse('<think>Need the weather.</think>\n{"name": "w", "parameters": {"c": "Oslo"}}')
    assert turn.reasoning == "Need the weather." and turn.calls == (ToolCall("w", '{"c": "Oslo"}'),)


def test_round_trip_through_openai_form():
    call = parser.parse('{"name": "f", "parameters": {"nested": {"k": [1, 2.5, null]}}}').calls[0]
    wire = call.openai("id")["function"]
    again = parser.parse(json.dumps({"name": wire["name"], "parameters": json.loads(wire["arguments"])}))
    assert again.calls == (call,)

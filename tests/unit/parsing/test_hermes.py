import json

import pytest

from toolgym.models.calls import ParseIssue, ToolCall
from toolgym.parsing import get_parser
from toolgym.parsing.hermes import HermesParser

QWEN3_TURN = """<think>
The user wants the weather in Paris and the time in Tokyo. Both tools can run at once.
</think>

I'll look both up.
<tool_call>
{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}
</tool_call>
<tool_call>
{"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}
</tool_call>"""

parser = HermesParser()


def test_registered_under_its_vllm_name():
    assert get_parser("hermes").name == "hermes"


def test_qwen3_turn_with_think_block_and_two_calls():
    turn = parser.parse(QWEN3_TURN)
    assert turn.content == "I'll look both up."
    assert turn.reasoning == "The user wants the weather in Paris and the time in Tokyo. Both tools can run at once."
    assert turn.calls == (ToolCall("get_weather", '{"city": "Paris", "unit": "celsius"}'),
                          ToolCall("get_time", '{"timezone": "Asia/Tokyo"}'))
    assert turn.issues == ()


def test_plain_answer_is_content_only():
    turn = parser.parse("  The hotel costs 120 euros per night.\n")
    assert (turn.content, turn.calls, turn.issues, turn.reasoning) == ("The hotel costs 120 euros per night.", (),
                                                                        (), None)


def test_text_between_and_after_calls_is_content():
    text = 'First <tool_call>{"name": "a"}</tool_call> then <tool_call>{"name": "b"}</tool_call> done'
    turn = parser.parse(text)
    assert [c.name for c in turn.calls] == ["a", "b"]
    assert turn.content == "First  then  done"


@pytest.mark.parametrize("body", [
    '{"name": "f", "parameters": {"x": 1}}',                  # Llama-style key
    '{"name": "f", "arguments": "{\\"x\\": 1}"}',              # arguments as a JSON string
    '\n\n   {"name": "f", "arguments": {"x": 1}}  \n',         # whitespace
    '```json\n{"name": "f", "arguments": {"x": 1}}\n```',      # code fence
    '\n```\n{"name": "f", "arguments": {"x": 1}}\n```\n',      # bare fence with newlines around
])
def test_lenient_bodies(body):
    turn = parser.parse(f"<tool_call>{body}</tool_call>")
    assert turn.issues == ()
    assert [(c.name, json.loads(c.arguments)) for c in turn.calls] == [("f", {"x": 1})]


def test_arguments_object_is_serialised_without_ascii_escapes():
    turn = parser.parse('<tool_call>{"name": "city_info", "arguments": {"city": "Zürich"}}</tool_call>')
    assert turn.calls[0].arguments == '{"city": "Zürich"}'


def test_string_arguments_are_kept_verbatim_even_when_invalid():
    turn = parser.parse('<tool_call>{"name": "f", "arguments": "{city: Paris}"}</tool_call>')
    assert turn.calls == (ToolCall("f", "{city: Paris}"),) and turn.issues == ()


def test_non_object_arguments_are_kept_for_the_executor_to_reject():
    turn = parser.parse('<tool_call>{"name": "f", "arguments": [1, 2]}</tool_call>')
    assert turn.calls == (ToolCall("f", "[1, 2]"),)


def test_missing_or_null_arguments_mean_no_arguments():
    turn = parser.parse('<tool_call>{"name": "now"}</tool_call><tool_call>{"name": "now", "arguments": null}'
                        '</tool_call>')
    assert turn.calls == (ToolCall("now", "{}"), ToolCall("now", "{}"))


def test_an_id_in_the_object_is_kept_else_none():
    turn = parser.parse('<tool_call>{"name": "f", "arguments": {}, "id": "x1"}</tool_call>'
                        '<tool_call>{"name": "g", "arguments": {}, "id": 7}</tool_call>')
    assert [c.id for c in turn.calls] == ["x1", None]


def test_invalid_json_is_reported_with_position():
    text = '<tool_call>{"name": "f" "arguments": {}}</tool_call>'
    turn = parser.parse(text)
    assert turn.calls == ()
    assert turn.issues == (ParseIssue(text, "invalid JSON: Expecting ',' delimiter at char 13"),)


@pytest.mark.parametrize("body, reason", [
    ('{"arguments": {"x": 1}}', "missing 'name'"),
    ('{"name": 3, "arguments": {}}', "'name' must be a string, got int"),
    ('{"name": "  ", "arguments": {}}', "empty 'name'"),
    ('["f", {}]', "expected a JSON object with 'name' and 'arguments', got list"),
    ("   ", "empty <tool_call>"),
    ('{"name": "f"} {"name": "g"}', "invalid JSON: Extra data at char 14"),
    ('{"name": "f", "arguments": {"x": 1,}}', "invalid JSON: Expecting property name enclosed in double quotes at "
                                              "char 35"),
])
def test_malformed_bodies_are_issues_with_a_precise_reason(body, reason):
    turn = parser.parse(f"<tool_call>{body}</tool_call>")
    assert turn.calls == ()
    assert [i.reason for i in turn.issues] == [reason]


def test_unclosed_tag_at_the_end_is_reported():
    turn = parser.parse('Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par')
    assert turn.content == "Let me check."
    assert turn.issues == (ParseIssue('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par',
                                      "unclosed <tool_call>"),)


def test_unclosed_tag_followed_by_another_call_does_not_swallow_it():
    turn = parser.parse('<tool_call>{"name": "a"}\n<tool_call>{"name": "b"}</tool_call>')
    assert [c.name for c in turn.calls] == ["b"]
    assert [(i.fragment, i.reason) for i in turn.issues] == [('<tool_call>{"name": "a"}', "unclosed <tool_call>")]


def test_stray_closing_tag_is_reported_and_removed():
    turn = parser.parse('{"name": "f"}</tool_call>')
    assert turn.calls == () and turn.content == '{"name": "f"}'
    assert [i.reason for i in turn.issues] == ["</tool_call> without an opening <tool_call>"]


def test_good_and_bad_calls_in_one_turn_both_count():
    turn = parser.parse('<tool_call>{"name": "a", "arguments": {}}</tool_call>'
                        '<tool_call>{"name": "b", "arguments": {</tool_call>'
                        '<tool_call>{"name": "c", "arguments": {}}</tool_call>')
    assert [c.name for c in turn.calls] == ["a", "c"]
    assert len(turn.issues) == 1 and turn.issues[0].fragment.startswith('<tool_call>{"name": "b"')


def test_long_fragments_are_truncated():
    turn = parser.parse("<tool_call>{" + "x" * 1000 + "</tool_call>")
    fragment = turn.issues[0].fragment
    assert len(fragment) == 200 and fragment.endswith("…")


def test_call_inside_think_is_not_a_call():
    turn = parser.parse('<think>maybe <tool_call>{"name": "a"}</tool_call>?</think>No call needed: 4.')
    assert turn.calls == () and turn.content == "No call needed: 4."
    assert turn.reasoning == 'maybe <tool_call>{"name": "a"}</tool_call>?'


def test_deeply_nested_json_is_an_issue_not_a_crash():
    turn = parser.parse("<tool_call>" + "[" * 100_000 + "</tool_call>")
    assert [i.reason for i in turn.issues] == ["invalid JSON: nested too deeply"]


def test_round_trip_through_openai_form():
    turn = parser.parse('<tool_call>{"name": "hotel_price", "arguments": {"city": "Velmora", "nights": 3}}'
                        '</tool_call>')
    wire = turn.calls[0].openai("call_0_0")
    assert wire == {"id": "call_0_0", "type": "function",
                    "function": {"name": "hotel_price", "arguments": '{"city": "Velmora", "nights": 3}'}}
    again = parser.parse(f'<tool_call>{{"name": "{wire["function"]["name"]}", '
                         f'"arguments": {wire["function"]["arguments"]}}}</tool_call>')
    assert again.calls == turn.calls


def test_think_tag_in_arguments_after_a_block_is_literal():
    turn = parser.parse('<think>r</think><tool_call>{"name": "note", "arguments": {"text": "</think> <think>"}}'
                        '</tool_call>')
    assert turn.reasoning == "r" and turn.calls == (ToolCall("note", '{"text": "</think> <think>"}'),)


def test_unclosed_think_is_reported_and_its_calls_are_not_read():
    turn = parser.parse('<think>I will call <tool_call>{"name": "f"}</tool_call> and then')
    assert turn.calls == () and turn.content == ""
    assert [i.reason for i in turn.issues] == [
        "unclosed <think>: the reasoning never ended with </think>, so no answer or tool call was read after it"]


def test_scalar_arguments_stay_decoded_for_the_executor():
    flat, nested = HermesParser().parse('<tool_call>{"name": "f", "arguments": {"x": 1, "y": "é"}}</tool_call>'
                                        '<tool_call>{"name": "g", "arguments": {"x": [1]}}</tool_call>').calls
    assert flat.decoded == (("x", 1), ("y", "é")) and json.loads(flat.arguments) == dict(flat.decoded)
    assert nested.decoded is None  # a list could be mutated by the tool: the executor decodes its own copy
    assert flat == ToolCall("f", flat.arguments) and "decoded" not in repr(flat)

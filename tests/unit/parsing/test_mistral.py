import json

import pytest

from toolgym.models.calls import ParseIssue, ToolCall
from toolgym.parsing import get_parser
from toolgym.parsing.mistral import MISSING_NAME, NO_CALL, NOT_A_CALL, MistralParser

parser = MistralParser()


def test_registered_under_its_vllm_name():
    assert get_parser("mistral").name == "mistral"


def test_json_list_form_with_ids_and_text_before():
    turn = parser.parse('Let me check both.[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}, '
                        '"id": "a1b2c3d4e"}, {"name": "get_time", "arguments": {"tz": "UTC"}}]</s>')
    assert turn.content == "Let me check both."
    assert turn.calls == (ToolCall("get_weather", '{"city": "Paris"}', "a1b2c3d4e"),
                          ToolCall("get_time", '{"tz": "UTC"}'))
    assert turn.issues == ()


def test_single_object_instead_of_a_list():
    turn = parser.parse('[TOOL_CALLS]{"name": "f", "arguments": {"x": 1}}')
    assert turn.calls == (ToolCall("f", '{"x": 1}'),)


def test_name_args_form_with_several_calls():
    turn = parser.parse('[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time[ARGS]{"tz": "UTC"}')
    assert turn.calls == (ToolCall("get_weather", '{"city": "Paris"}'), ToolCall("get_time", '{"tz": "UTC"}'))


def test_name_args_form_with_call_id():
    turn = parser.parse('[TOOL_CALLS]f[CALL_ID]abc123xyz[ARGS]{"x": 1}')
    assert turn.calls == (ToolCall("f", '{"x": 1}', "abc123xyz"),)


def test_name_args_form_keeps_unreadable_arguments_verbatim():
    turn = parser.parse('[TOOL_CALLS]f[ARGS]{"x": 1,')
    assert turn.calls == (ToolCall("f", '{"x": 1,'),) and turn.issues == ()


def test_name_args_form_text_after_json_is_content():
    turn = parser.parse('[TOOL_CALLS]f[ARGS]{"x": 1} and that is it')
    assert turn.calls == (ToolCall("f", '{"x": 1}'),) and turn.content == "and that is it"


def test_name_args_form_non_object_arguments_kept_verbatim():
    assert parser.parse("[TOOL_CALLS]f[ARGS][1,2]").calls == (ToolCall("f", "[1,2]"),)


def test_plain_answer():
    turn = parser.parse("The answer is 42.")
    assert (turn.content, turn.calls, turn.issues) == ("The answer is 42.", (), ())


@pytest.mark.parametrize("text, reason", [
    ("[TOOL_CALLS]", NO_CALL),
    ("[TOOL_CALLS] I will call a tool", NOT_A_CALL),
    ('[TOOL_CALLS][ARGS]{"x": 1}', MISSING_NAME),
    ('[TOOL_CALLS] [{"name": "f", "arguments": {}', "invalid JSON: Expecting ',' delimiter at char 30"),
    ('[TOOL_CALLS] [{"arguments": {}}]', "missing 'name'"),
    ('[TOOL_CALLS] ["f"]', "expected a JSON object with 'name' and 'arguments', got str"),
])
def test_malformed_calls_are_issues(text, reason):
    turn = parser.parse(text)
    assert turn.calls == () and [i.reason for i in turn.issues] == [reason]


def test_issue_fragment_quotes_the_marker():
    turn = parser.parse("[TOOL_CALLS] nonsense")
    assert turn.issues == (ParseIssue("[TOOL_CALLS]nonsense", NOT_A_CALL),)


def test_one_bad_entry_does_not_hide_the_good_ones():
    turn = parser.parse('[TOOL_CALLS] [{"name": "a", "arguments": {}}, {"arguments": {}}, {"name": "c"}]')
    assert [c.name for c in turn.calls] == ["a", "c"] and len(turn.issues) == 1


def test_magistral_style_think_then_calls():
    turn = parser.parse('<think>Need weather.</think>Checking.[TOOL_CALLS]get_weather[ARGS]{"city": "Oslo"}')
    assert (turn.reasoning, turn.content) == ("Need weather.", "Checking.")
    assert turn.calls == (ToolCall("get_weather", '{"city": "Oslo"}'),)


def test_round_trip_through_openai_form():
    call = parser.parse('[TOOL_CALLS] [{"name": "f", "arguments": {"s": "é"}, "id": "k9"}]').calls[0]
    wire = call.openai(call.id)
    entry = {"name": wire["function"]["name"], "arguments": json.loads(wire["function"]["arguments"]),
             "id": wire["id"]}
    assert parser.parse("[TOOL_CALLS]" + json.dumps([entry])).calls == (call,)

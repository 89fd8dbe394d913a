import json

import pytest

from toolgym.models.calls import ParsedTurn, ToolCall
from toolgym.parsing import get_parser, parse_action
from toolgym.parsing.structured import (BAD_FUNCTION, BAD_TOOL_CALL, NOT_A_CALL, NOT_A_LIST, NOT_ASSISTANT,
                                        call_from_entry, parse_calls, parse_message)
from toolgym.parsing.reasoning import UNCLOSED_THINK

hermes = get_parser("hermes")


def openai_call(name, arguments, id="call_abc"):
    return {"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_openai_message_keeps_ids_and_argument_text():
    message = {"role": "assistant", "content": None,
               "tool_calls": [openai_call("get_weather", '{"city":"Paris"}', "call_1"),
                              openai_call("get_time", '{"tz": "UTC"}', "call_2")]}
    turn = parse_message(message, hermes)
    assert turn == ParsedTurn("", (ToolCall("get_weather", '{"city":"Paris"}', "call_1"),
                                   ToolCall("get_time", '{"tz": "UTC"}', "call_2")))


def test_openai_invalid_argument_json_is_kept_for_the_executor():
    turn = parse_message({"role": "assistant", "tool_calls": [openai_call("f", "{bad")]}, hermes)
    assert turn.calls == (ToolCall("f", "{bad", "call_abc"),) and turn.issues == ()


def test_hf_dict_arguments_are_serialised():
    message = {"role": "assistant", "content": "",
               "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"city": "Zürich"}}}]}
    assert parse_message(message, hermes).calls == (ToolCall("f", '{"city": "Zürich"}'),)


def test_hf_entries_without_function_wrapper():
    message = {"role": "assistant", "tool_calls": [{"name": "f", "arguments": {"x": 1}}, {"name": "g"}]}
    assert parse_message(message, hermes).calls == (ToolCall("f", '{"x": 1}'), ToolCall("g", "{}"))


def test_legacy_function_call():
    message = {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": '{"a": 1}'}}
    assert parse_message(message, hermes).calls == (ToolCall("f", '{"a": 1}'),)


def test_message_without_calls_is_read_by_the_text_parser():
    message = {"role": "assistant",
               "content": '<think>plan</think>Calling.<tool_call>{"name": "f", "arguments": {}}</tool_call>'}
    turn = parse_message(message, hermes)
    assert turn == ParsedTurn("Calling.", (ToolCall("f", "{}"),), (), "plan")


@pytest.mark.parametrize("empty", [None, []])
def test_empty_tool_calls_means_text_parsing(empty):
    message = {"role": "assistant", "content": "The answer is 4.", "tool_calls": empty}
    assert parse_message(message, hermes) == ParsedTurn("The answer is 4.")


def test_message_with_calls_does_not_read_calls_from_content_twice():
    message = {"role": "assistant", "content": '<think>r</think>ok <tool_call>{"name": "x"}</tool_call>',
               "tool_calls": [openai_call("f", "{}")]}
    turn = parse_message(message, hermes)
    assert [c.name for c in turn.calls] == ["f"] and turn.reasoning == "r"


@pytest.mark.parametrize("key", ["reasoning_content", "reasoning"])
def test_reasoning_fields(key):
    message = {"role": "assistant", "content": "<think>more</think>4", key: "  thought  "}
    turn = parse_message(message, hermes)
    assert (turn.content, turn.reasoning) == ("4", "thought\n\nmore")


def test_content_parts_are_joined():
    message = {"role": "assistant", "content": [{"type": "text", "text": "The answer "}, {"type": "text",
                                                                                          "text": "is 4."}]}
    assert parse_message(message, hermes).content == "The answer is 4."


def test_non_text_content_part_is_an_issue():
    message = {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}
    assert len(parse_message(message, hermes).issues) == 1


def test_unclosed_think_in_a_message_with_calls_is_reported():
    message = {"role": "assistant", "content": "<think>cut", "tool_calls": [openai_call("f", "{}")]}
    turn = parse_message(message, hermes)
    assert [i.reason for i in turn.issues] == [UNCLOSED_THINK] and len(turn.calls) == 1


@pytest.mark.parametrize("message, reason", [
    ({"role": "user", "content": "hi"}, NOT_ASSISTANT.format('"user"')),
    ({"content": "hi"}, NOT_ASSISTANT.format("null")),
    ({"role": "assistant", "tool_calls": {"name": "f"}}, NOT_A_LIST.format("dict")),
    ({"role": "assistant", "tool_calls": [{"function": "f"}]}, BAD_FUNCTION.format("str")),
    ({"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]}, "missing 'name'"),
    ({"role": "assistant", "tool_calls": [{"function": {"name": None}}]}, "missing 'name'"),
    ({"role": "assistant", "tool_calls": [{"function": {"name": ["f"]}}]}, "'name' must be a string, got list"),
    ({"role": "assistant", "tool_calls": ["f()"]}, NOT_A_CALL.format("str")),
    ({"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": {1, 2}}}]},
     "arguments of 'f' are not JSON-serialisable"),
    ({"role": "assistant", "content": 42}, "'content' must be text or a list of text parts, got int"),
])
def test_malformed_messages_are_issues(message, reason):
    turn = parse_message(message, hermes)
    assert turn.calls == () and [i.reason for i in turn.issues] == [reason]


def test_one_bad_entry_keeps_the_others():
    message = {"role": "assistant", "tool_calls": [openai_call("a", "{}", "1"), 5, openai_call("b", "{}", "2")]}
    turn = parse_message(message, hermes)
    assert [c.id for c in turn.calls] == ["1", "2"] and len(turn.issues) == 1


def test_call_lists_of_every_kind():
    turn = parse_calls([ToolCall("a", '{"x": 1}'), openai_call("b", "{}", "id_b"), {"name": "c", "arguments": {}}])
    assert turn == ParsedTurn("", (ToolCall("a", '{"x": 1}'), ToolCall("b", "{}", "id_b"), ToolCall("c", "{}")))


def test_toolcall_with_wrong_field_types_is_an_issue():
    assert call_from_entry(ToolCall(3, {})).reason == BAD_TOOL_CALL
    assert call_from_entry(ToolCall(10**5000, "{}")).reason == BAD_TOOL_CALL  # repr would raise


def test_caller_built_actions_with_odd_fields_never_raise():
    # A ToolCall whose id is a list (unhashable), a role too large for repr: both reach step() from callers.
    assert parse_action([ToolCall("f", "{}", ["x"])], hermes).calls == (ToolCall("f", "{}"),)
    turn = parse_action({"role": 10**5000, "content": "hi"}, hermes)
    assert turn.calls == () and turn.issues[0].reason == NOT_ASSISTANT.format("<int>")


def test_openai_round_trip():
    call = ToolCall.of("hotel_price", {"city": "Velmora", "nights": 3})
    message = {"role": "assistant", "content": "", "tool_calls": [call.openai("call_0_0")]}
    turn = parse_action(message, hermes)
    assert turn.calls == (ToolCall(call.name, call.arguments, "call_0_0"),)
    assert json.loads(turn.calls[0].arguments) == {"city": "Velmora", "nights": 3}

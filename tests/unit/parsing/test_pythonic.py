import json

import pytest

from toolgym.models.calls import ToolCall
from toolgym.parsing import get_parser
from toolgym.parsing.pythonic import (EMPTY_ELEMENT, NOT_A_CALL, POSITIONAL, UNBALANCED, UNCLOSED_LIST, UNPACKING,
                                      UNTERMINATED_STRING, PythonicParser)

parser = PythonicParser()


def test_registered_under_its_vllm_name():
    assert get_parser("pythonic").name == "pythonic"


def test_two_calls_with_nested_literals():
    turn = parser.parse('[get_weather(city="Paris", days=3), other(x=[1, 2], opts={"deep": (True, None)})]')
    assert turn.calls == (ToolCall("get_weather", '{"city": "Paris", "days": 3}'),
                          ToolCall("other", '{"x": [1, 2], "opts": {"deep": [true, null]}}'))
    assert (turn.content, turn.issues) == ("", ())


def test_llama4_markers_and_json_literals():
    turn = parser.parse("<|python_start|>[f(flag=true, none=null, neg=-2.5, pos=+1)]<|python_end|>")
    assert turn.calls == (ToolCall("f", '{"flag": true, "none": null, "neg": -2.5, "pos": 1}'),)


def test_no_arguments_and_trailing_comma_and_multiline():
    turn = parser.parse("[\n  now(),\n  today(tz='UTC'),\n]")
    assert turn.calls == (ToolCall("now", "{}"), ToolCall("today", '{"tz": "UTC"}'))


def test_strings_with_brackets_commas_and_quotes_do_not_split():
    turn = parser.parse('''[f(a="x, y) ]", b='it\\'s', c="""tri"ple""")]''')
    assert json.loads(turn.calls[0].arguments) == {"a": "x, y) ]", "b": "it's", "c": 'tri"ple'}


def test_names_python_would_reject():
    turn = parser.parse("[get-weather(city='Oslo'), 3d_view(zoom=2)]")
    assert [c.name for c in turn.calls] == ["get-weather", "3d_view"]


def test_text_around_a_list_on_its_own_line_is_content():
    turn = parser.parse("Let me check.\n[get_weather(city='Oslo')]\nThen I answer.")
    assert turn.content == "Let me check.\n\nThen I answer." and [c.name for c in turn.calls] == ["get_weather"]


@pytest.mark.parametrize("text", [
    "The answer is 42.", "[1, 2, 3]", "[see (below)]", "See the list [f(x=1)] inline.", "[citation needed]",
])
def test_text_that_is_not_a_call_list_is_content(text):
    turn = parser.parse(text)
    assert (turn.content, turn.calls, turn.issues) == (text, (), ())


@pytest.mark.parametrize("text, reason", [
    ('[get_weather("Paris")]', POSITIONAL),
    ("[f(**kw)]", UNPACKING),
    ('[f(x=open("/etc/passwd"))]', "only literal values are allowed: argument 'x' contains a Call expression"),
    ("[f(x=y)]", "only literal values are allowed: argument 'x' contains the name 'y'"),
    ("[f(x=1 + 2)]", "only literal values are allowed: argument 'x' contains a BinOp expression"),
    ('[f(x=b"raw")]', "only literal values are allowed: argument 'x' contains a bytes value"),
    ("[f(x={1, 2})]", "only literal values are allowed: argument 'x' contains a Set expression"),
    ("[f(x={(1,): 2})]", "only scalar dict keys are allowed: argument 'x'"),
    ("[f(x=1, x=2)]", "keyword argument repeated: 'x'"),
    ("[f(x=1).y]", NOT_A_CALL),
    ("[f(x=1)(y=2)]", NOT_A_CALL),
    ("[f(x=1), 42]", NOT_A_CALL),
    ("[f(x=)]", "invalid call syntax: invalid syntax"),
    ("[f(x=1),, g()]", EMPTY_ELEMENT),
])
def test_malformed_calls_are_issues(text, reason):
    turn = parser.parse(text)
    assert reason in [i.reason for i in turn.issues]


@pytest.mark.parametrize("text, reason", [
    ("[f(x=1)", UNCLOSED_LIST),
    ("[f(x=1))]", UNBALANCED),
    ('[f(x="open)]', UNTERMINATED_STRING),
])
def test_broken_lists_are_issues(text, reason):
    turn = parser.parse(text)
    assert turn.calls == () and [(i.fragment, i.reason) for i in turn.issues] == [(text, reason)]


def test_good_call_survives_a_bad_neighbour():
    turn = parser.parse("[a(x=1), b(2), c(y='z')]")
    assert [c.name for c in turn.calls] == ["a", "c"] and [i.fragment for i in turn.issues] == ["b(2)"]


def test_nothing_is_evaluated():
    turn = parser.parse("[f(x=__import__('os').system('echo pwned'))]")
    assert turn.calls == () and turn.issues


@pytest.mark.parametrize("text", ["[f(x='a\x00')]", "[f(x=" + "[" * 300 + "]" * 300 + ")]"])
def test_null_bytes_and_deep_nesting_are_issues_not_crashes(text):
    turn = parser.parse(text)
    assert turn.calls == () and turn.issues[0].reason.startswith("invalid call syntax: ")


def test_round_trip_through_openai_form():
    call = parser.parse("[lookup(ids=[1, 2], meta={'k': 'v'})]").calls[0]
    wire = call.openai("x")["function"]
    args = ", ".join(f"{k}={v!r}" for k, v in json.loads(wire["arguments"]).items())
    assert parser.parse(f"[{wire['name']}({args})]").calls == (call,)

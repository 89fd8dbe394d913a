import pickle

import pytest

from toolgym.errors import UnknownNameError
from toolgym.models.calls import ParsedTurn, ToolCall
from toolgym.parsing import NOT_AN_ACTION, PARSERS, Parser, get_parser, parse_action

VLLM_NAMES = {"hermes", "llama3_json", "mistral", "pythonic"}


def test_registry_holds_the_vllm_named_parsers():
    assert set(PARSERS) == VLLM_NAMES
    for name, parser in PARSERS.items():
        assert isinstance(parser, Parser) and parser.name == name and get_parser(name) is parser


def test_unknown_parser_names_the_known_ones():
    with pytest.raises(UnknownNameError, match="unknown parser 'hermez'; choose one of: hermes, llama3_json"):
        get_parser("hermez")


def test_unknown_parser_is_a_key_error_for_callers_that_catch_that():
    with pytest.raises(KeyError):
        get_parser("nope")


@pytest.mark.parametrize("name", sorted(VLLM_NAMES))
def test_parsers_survive_pickling(name):
    assert pickle.loads(pickle.dumps(get_parser(name))).name == name


def test_parse_action_dispatches_on_type():
    hermes = get_parser("hermes")
    text = '<tool_call>{"name": "f", "arguments": {}}</tool_call>'
    assert parse_action(text, hermes).calls == (ToolCall("f"),)
    assert parse_action({"role": "assistant", "content": text}, hermes).calls == (ToolCall("f"),)
    assert parse_action([{"name": "f"}], hermes).calls == (ToolCall("f"),)
    assert parse_action((ToolCall("f"),), hermes).calls == (ToolCall("f"),)
    assert parse_action(ToolCall("f"), hermes).calls == (ToolCall("f"),)


def test_empty_call_list_is_an_empty_answer():
    assert parse_action([], get_parser("hermes")) == ParsedTurn("")


@pytest.mark.parametrize("action, kind", [(None, "NoneType"), (3, "int"), (b"<tool_call>", "bytes"),
                                          ({1, 2}, "set"), (object(), "object")])
def test_anything_else_is_an_issue_never_an_exception(action, kind):
    turn = parse_action(action, get_parser("hermes"))
    assert turn.calls == () and [i.reason for i in turn.issues] == [NOT_AN_ACTION.format(kind)]


def test_text_parser_reports_non_text_instead_of_raising():
    turn = get_parser("mistral").parse(None)
    assert [i.reason for i in turn.issues] == ["expected completion text (str), got NoneType"]

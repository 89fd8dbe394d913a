import json

from hypothesis import given
from hypothesis import strategies as st

from toolgym.parsing import get_parser
from toolgym.rollout.messages import (TOOL_PROMPTS, AutoParser, to_hf_messages, to_openai_messages,
                                      tools_prompt_style, tools_system_message, with_tools_prompt)

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                        max_size=3), max_leaves=8)
ARGUMENTS = st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4)


def assistant(arguments):
    return {"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}]}


@given(ARGUMENTS)
def test_openai_and_hf_forms_round_trip(arguments):
    openai_form = [assistant(json.dumps(arguments, ensure_ascii=False)),
                   {"role": "tool", "tool_call_id": "c1", "content": "x"}]
    hf = to_hf_messages(openai_form)
    assert hf[0]["tool_calls"][0]["function"]["arguments"] == arguments
    assert to_openai_messages(hf) == openai_form
    assert openai_form[0]["tool_calls"][0]["function"]["arguments"] == json.dumps(arguments, ensure_ascii=False)


def test_malformed_arguments_stay_text_in_hf_form():
    for text in ('{"city": ', '[1, 2]', "null"):
        assert to_hf_messages([assistant(text)])[0]["tool_calls"][0]["function"]["arguments"] == text


TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather.",
                                           "parameters": {"type": "object", "properties": {}}}}]


def test_tools_prompt_names_the_tools_in_every_style():
    for style in TOOL_PROMPTS:
        content = tools_system_message(TOOLS, style)["content"]
        assert '"name": "get_weather"' in content


def test_tools_prompt_merges_into_an_existing_system_message():
    merged = with_tools_prompt([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "q"}],
                               TOOLS, "hermes")
    assert len(merged) == 2 and merged[0]["content"].startswith("Be brief.\n\n") and "<tools>" in merged[0]["content"]
    assert with_tools_prompt([{"role": "user", "content": "q"}], TOOLS, None) == [{"role": "user", "content": "q"}]


def test_tools_prompt_style_follows_the_parser():
    assert tools_prompt_style("auto", "llama3_json") == "llama3_json"
    assert tools_prompt_style("auto", "auto") == "hermes"
    assert tools_prompt_style("none", "hermes") is None


def test_auto_parser_reads_every_known_format():
    samples = {"hermes": '<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>',
               "llama3_json": '{"name": "f", "parameters": {"x": 1}}',
               "mistral": '[TOOL_CALLS][{"name": "f", "arguments": {"x": 1}}]',
               "pythonic": "[f(x=1)]"}
    for fmt, text in samples.items():
        turn = AutoParser().parse(text)
        assert [(c.name, json.loads(c.arguments)) for c in turn.calls] == [("f", {"x": 1})], fmt
        assert turn == get_parser(fmt).parse(text) or not turn.issues
    assert AutoParser().parse("Final answer: 12").calls == ()

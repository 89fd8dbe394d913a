"""`FtrlParser` reads completions as the reference's `parse_qwen` does (after its reward's end-token strip).

The expected values are the reference's behaviour restated by hand, case by case; the property test checks the
splitting rule on random sequences of calls, broken calls and prose against an independent statement of it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.parsing.ftrl import FtrlParser, strip_end_tokens

PARSER = FtrlParser()
F = '{"name": "f", "arguments": {"x": 1}}'
G = '{"name": "g", "arguments": {}}'


def read(text: str) -> tuple[str, list[tuple[str, str]]]:
    turn = PARSER.parse(text)
    assert not turn.issues and turn.reasoning is None  # the reference reports nothing and keeps <think>
    return turn.content, [(c.name, c.arguments) for c in turn.calls]


@pytest.mark.parametrize(("text", "content", "calls"), [
    (f"<tool_call>{F}</tool_call>", "", [("f", '{"x": 1}')]),
    (f"Plan. <tool_call>\n{F}\n</tool_call>", "Plan.", [("f", '{"x": 1}')]),
    (f"<tool_call>{F}", "", [("f", '{"x": 1}')]),                                   # unclosed last tag
    (f"<tool_call>{F}</tool_call><tool_call>{G}", "", [("f", '{"x": 1}'), ("g", "{}")]),
    (f"<tool_call>{F}</tool_call> and <tool_call>{G}</tool_call>", "", [("f", '{"x": 1}')]),  # prose drops g
    (f"<tool_call>{F}</tool_call> done.", "", [("f", '{"x": 1}')]),                 # text after the last call
    (f"<tool_call><tool_call>{F}</tool_call>", "", [("f", '{"x": 1}')]),            # the tag's characters go
    (f"<think>hm</think><tool_call>{F}</tool_call></think>", "<think>hm</think>", [("f", '{"x": 1}')]),
    ('<tool_call>{"name": 7, "arguments": {}}</tool_call>', "", [("7", "{}")]),    # a numeric name
    ('<tool_call>{"name": "f", "arguments": "{\\"x\\": 1}"}</tool_call>', "", [("f", '{"x": 1}')]),
    ('<tool_call>{"name": "f", "arguments": "[1, 2]"}</tool_call>', "", [("f", "[1, 2]")]),
    ('<tool_call>{"name": "f", "arguments": {"x": NaN}}</tool_call>', "", [("f", '{"x": NaN}')]),
    (f"<tool_call>{F}</tool_call></tool_call><|im_end|>", "", [("f", '{"x": 1}')]),
])
def test_calls_are_read_as_the_reference_reads_them(text, content, calls):
    assert read(text) == (content, calls)


@pytest.mark.parametrize("text", [
    "<tool_call>{\"name\": \"f\"}</tool_call>",
    "<tool_call>{\"name\": \"f\", \"arguments\": null}</tool_call>",
    "<tool_call>{\"name\": \"f\", \"arguments\": 3}</tool_call>",
    "<tool_call>{\"name\": \"f\", \"parameters\": {}}</tool_call>",
    "<tool_call>{\"name\": 0, \"arguments\": {}}</tool_call>",
    "<tool_call>{\"name\": null, \"arguments\": {}}</tool_call>",
    "<tool_call>```json\n" + F + "\n```</tool_call>",
    "<tool_call>" + F + " extra</tool_call>",
    "<tool_call>{\"name\": \"f\", \"arguments\": {</tool_call>",
    "<tool_call>[" + F + "]</tool_call>",
    "Answer: < tool_call>" + F + "</tool_call>",
])
def test_a_turn_without_a_readable_call_is_all_content(text):
    assert read(text) == (text.strip(), [])


@pytest.mark.parametrize(("text", "stripped"), [
    ("<|im_end|>", ""),
    (" It is 4. <|im_end|>\n", "It is 4."),
    ("It is 4.<|im_end|><|endoftext|>", "It is 4."),
    ("It is 4.<|endoftext|><|im_end|>", "It is 4.<|endoftext|>"),  # the reference removes them in this order
    ("It is 4.<|im_end|><|im_end|>", "It is 4.<|im_end|>"),      # once each
    ("<|im_end|>It is 4.", "<|im_end|>It is 4."),
])
def test_trailing_end_tokens_are_stripped(text, stripped):
    assert strip_end_tokens(text) == stripped
    assert read(text) == (stripped, [])


def test_a_non_string_is_reported_not_raised():
    assert PARSER.parse(None).issues[0].reason == "expected completion text (str), got NoneType"  # type: ignore


def test_reading_is_linear_time():
    # quadratic splitting would take minutes here; the reference's split-based reading takes milliseconds
    text = "<tool_call>" + "</tool_call><tool_call>{" * 20_000
    assert read(text)[1] == []


# --- the splitting rule, on random sequences -----------------------------------------------------------------

BROKEN = ['{"name": "f"}', '{"name": "f", "arguments": null}', "```\n{}\n```", "{", "[]", '{"name": ""}']
names = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8)
values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))
segments = st.lists(st.one_of(
    st.tuples(st.just("call"), names, st.dictionaries(st.text(max_size=5), values, max_size=3)),
    st.tuples(st.just("broken"), st.sampled_from(BROKEN)),
    st.tuples(st.just("prose"), st.text(st.characters(exclude_characters="<>"), max_size=12)
              .filter(lambda s: s.strip())),
    st.tuples(st.just("blank"), st.sampled_from([" ", "\n", "\n\n"]))), max_size=8)


def expected_calls(parts: list[tuple]) -> list[tuple[str, dict]]:
    """The rule restated: a well-formed block counts when nothing but blanks separates it from the previous
    `</tool_call>`, or when it holds the first `<tool_call>` of the text."""
    calls, seen_tag, after_close = [], False, True
    for part in parts:
        kind = part[0]
        if kind in ("call", "broken"):
            if kind == "call" and (after_close or not seen_tag):
                calls.append((part[1], part[2]))
            seen_tag, after_close = True, True
        elif kind == "prose":
            after_close = False
    return calls


def render(part: tuple) -> str:
    if part[0] == "call":
        return f'<tool_call>{json.dumps({"name": part[1], "arguments": part[2]})}</tool_call>'
    if part[0] == "broken":
        return f"<tool_call>{part[1]}</tool_call>"
    return part[1]


@given(segments)
def test_the_splitting_rule(parts):
    text = "".join(render(part) for part in parts)
    turn = PARSER.parse(text)
    assert [(c.name, json.loads(c.arguments)) for c in turn.calls] == expected_calls(parts)
    if not turn.calls:
        assert turn.content == strip_end_tokens(text)
    else:
        assert turn.content == text[:text.index("<tool_call>")].strip()


@given(st.text())
def test_any_text_reads_without_raising(text):
    turn = PARSER.parse(text)
    assert not turn.issues and (turn.calls or turn.content == strip_end_tokens(text))

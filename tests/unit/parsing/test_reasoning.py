"""`<think>` handling, shared by every text parser."""

import pytest

from toolgym.parsing import PARSERS
from toolgym.parsing.reasoning import UNCLOSED_THINK, split_reasoning


def test_no_think_tag_leaves_text_untouched():
    assert split_reasoning("plain answer") == ("plain answer", None, None)


def test_think_block_is_removed_and_returned():
    assert split_reasoning("<think>\nstep 1\n</think>\n\nAnswer: 4") == ("\n\nAnswer: 4", "step 1", None)


def test_text_before_the_block_stays_answer():
    assert split_reasoning("Sure. <think>hmm</think> It is 4.") == ("Sure.  It is 4.", "hmm", None)


def test_every_block_is_reasoning_only_text_outside_them_is_the_answer():
    assert split_reasoning("<think>a</think>x<think>b</think>y") == ("xy", "a\n\nb", None)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_a_call_or_answer_inside_a_second_block_is_neither(name):
    call = {"hermes": '<tool_call>{"name": "f", "arguments": {}}</tool_call>', "llama3_json": '{"name": "f"}',
            "mistral": '[TOOL_CALLS]f[ARGS]{}', "pythonic": "[f()]"}[name]
    turn = PARSERS[name].parse(f"<think>plan</think>Checking.<think>\n{call}\nThe answer is 918.</think>")
    assert turn.calls == () and turn.content == "Checking." and "918" in turn.reasoning


def test_an_unclosed_block_after_blocks_and_no_answer_is_reported():
    answer, reasoning, problem = split_reasoning("<think>a</think>\n<think>b")
    assert answer == "" and reasoning == "a\n\nb" and problem[1] == UNCLOSED_THINK


def test_a_stray_close_tag_after_a_block_is_text():
    assert split_reasoning("<think>a</think>x</think>y") == ("x</think>y", "a", None)


def test_empty_think_block_gives_no_reasoning():
    # Qwen3 with enable_thinking=False emits an empty block.
    assert split_reasoning("<think>\n\n</think>\n\nHi") == ("\n\nHi", None, None)


def test_leading_stray_close_tag_is_dropped():
    # Qwen3 templates that open <think> in the prompt leave only the closing tag in the completion.
    assert split_reasoning("</think>\n\nThe answer is 4.") == ("\n\nThe answer is 4.", None, None)


def test_text_before_an_unopened_close_tag_is_reasoning():
    # DeepSeek-R1, QwQ and Qwen3 "Thinking-2507": the prompt opened the block.
    assert split_reasoning("Let me think.\n</think>\nIt is 4.") == ("\nIt is 4.", "Let me think.", None)


def test_later_stray_close_tag_is_literal_text():
    assert split_reasoning("<think>r</think>a</think>b") == ("a</think>b", "r", None)


def test_nested_open_tag_is_text_of_the_open_block():
    assert split_reasoning("<think>a<think>b</think>c") == ("c", "a<think>b", None)


def test_unclosed_think_at_the_start_makes_the_rest_reasoning_and_is_reported():
    answer, reasoning, problem = split_reasoning("\n<think>still going <tool_call>{}</tool_call>")
    assert answer == ""
    assert reasoning == "still going <tool_call>{}</tool_call>"
    assert problem == ("<think>still going <tool_call>{}</tool_call>", UNCLOSED_THINK)


def test_unclosed_think_elsewhere_is_literal_text():
    text = '<tool_call>{"name": "note", "arguments": {"text": "<think>"}}</tool_call>'
    assert split_reasoning(text) == (text, None, None)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_text_parser_applies_the_same_rules(name):
    turn = PARSERS[name].parse("<think>plan</think>The answer is 4.")
    assert (turn.content, turn.reasoning, turn.calls, turn.issues) == ("The answer is 4.", "plan", (), ())
    cut = PARSERS[name].parse("<think>plan, then [TOOL_CALLS] and <tool_call>")
    assert cut.calls == () and cut.content == "" and cut.reasoning.startswith("plan")
    assert [i.reason for i in cut.issues] == [UNCLOSED_THINK]

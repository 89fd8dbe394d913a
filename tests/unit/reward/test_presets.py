import pytest

from toolgym.errors import UnknownNameError
from toolgym.models.calls import ToolResult
from toolgym.reward.presets import (ALL_SOLVED_REWARD, EMPTY_RESPONSE_PENALTY, MALFORMED_CALL_PENALTY, PRESETS,
                                    WASTED_CALL_PENALTY, DefaultPreset, FtrlPreset, answer_span, get_preset,
                                    is_error_result)
from tests.unit.reward.tasks import answer_turn, make_task


def test_get_preset_by_name_and_instance():
    assert get_preset("ftrl") == FtrlPreset("solve_f1")
    assert get_preset("ftrl:solve_pr").name == "ftrl:solve_pr"
    assert get_preset("default").name == "default"
    custom = DefaultPreset(wasted_call_penalty=1.0)
    assert get_preset(custom) is custom
    assert set(PRESETS) == {"default", "ftrl", "ftrl:solve_f1", "ftrl:solve_rate", "ftrl:solve_precision",
                            "ftrl:solve_pr"}


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match=r"unknown reward preset 'ftlr'; choose one of: default, ftrl"):
        get_preset("ftlr")
    with pytest.raises(UnknownNameError, match="solve_f1"):
        FtrlPreset("solve_f2")
    with pytest.raises(TypeError, match="name or a RewardPreset"):
        get_preset(3)  # type: ignore[arg-type]


def test_default_penalty_must_be_positive():
    with pytest.raises(ValueError, match="wasted_call_penalty"):
        DefaultPreset(wasted_call_penalty=0.0)


@pytest.mark.parametrize("variant, reward", [
    ("solve_f1", 2 * 2 / 4), ("solve_rate", 2.0), ("solve_precision", 2 / 3), ("solve_pr", 4 / 3)])
def test_ftrl_variants_three_calls_two_solving(variant, reward):
    assert FtrlPreset(variant).call_turn_reward(calls=3, solved=2, issues=5, num_expected=4) == pytest.approx(reward)


def test_ftrl_f1_pays_parallel_calls_more_than_one():
    assert FtrlPreset().call_turn_reward(calls=3, solved=3, issues=0, num_expected=3) == 1.5


def test_default_call_turn_reward():
    preset = DefaultPreset()
    assert preset.call_turn_reward(calls=2, solved=2, issues=0, num_expected=4) == 0.5
    assert preset.call_turn_reward(calls=3, solved=1, issues=1, num_expected=2) == pytest.approx(
        (1 - 3 * WASTED_CALL_PENALTY) / 2)
    assert preset.call_turn_reward(calls=1, solved=0, issues=0, num_expected=0) == -WASTED_CALL_PENALTY


@pytest.mark.parametrize("turn, correct, remaining, reward", [
    (answer_turn("   "), True, 0, EMPTY_RESPONSE_PENALTY),                          # empty first
    (answer_turn("12", issues=1), True, 0, MALFORMED_CALL_PENALTY),                # then malformed
    (answer_turn("<tool_call> oops 12"), True, 0, MALFORMED_CALL_PENALTY),         # leftover tag counts (ftrl)
    (answer_turn("", issues=1), False, 2, MALFORMED_CALL_PENALTY),                 # blank but malformed
    (answer_turn("12"), True, 0, 1.0),
    (answer_turn("12"), True, 3, 0.25),                                            # 1 / (1 + U)
    (answer_turn("no idea"), False, 0, ALL_SOLVED_REWARD),
    (answer_turn("no idea"), False, 1, 0.0),
])
def test_ftrl_no_call_cases_in_order(turn, correct, remaining, reward):
    assert FtrlPreset().answer_turn_reward(turn, correct=correct, remaining=remaining) == reward


def test_default_no_call_cases_ignore_a_bare_tag():
    preset = DefaultPreset()
    assert preset.answer_turn_reward(answer_turn("<tool_call> 12"), correct=True, remaining=0) == 1.0
    assert preset.answer_turn_reward(answer_turn("x", issues=2), correct=True, remaining=0) == MALFORMED_CALL_PENALTY
    assert preset.answer_turn_reward(answer_turn(""), correct=False, remaining=0) == EMPTY_RESPONSE_PENALTY


def test_ftrl_lets_errors_solve_and_default_does_not():
    ftrl, default = FtrlPreset(), DefaultPreset()
    assert ftrl.may_solve(ToolResult("boom", "exception"))
    for result in [ToolResult("x", "timeout"), ToolResult("  Error: no city 12"), ToolResult("ERROR 12")]:
        assert is_error_result(result) and not default.may_solve(result)
    assert default.may_solve(ToolResult("No errors: 12"))


@pytest.mark.parametrize("content, span", [
    ("It is \\boxed{12}.", "12"),
    ("\\boxed{1} then \\boxed{\\text{New {York}}}", "\\text{New {York}}"),
    ("\\boxed{12", "12"),
    ("Answer: 3. Final answer: 12", " 12"),
    ("**Final Answer:** 12", "** 12"),           # markup is punctuation: tokenisation ignores it
    ("**Answer**: 12", " 12"),
    ("The answer is 12", "The answer is 12"),
])
def test_answer_span(content, span):
    assert answer_span(content) == span


QUESTION = "What do 3 nights at the Velmora hotel cost?"
HOTEL = make_task({"hotel_price": ["1,536"]}, "1,536", question=QUESTION)


@pytest.mark.parametrize("content, correct", [
    ("3 nights cost 1,536", True),                      # 3 comes from the question
    ("Final answer: 1536.00 USD", True),
    ("\\boxed{1536}", True),
    ("It costs 1,536 or 1,537", False),                 # a second candidate
    ("It costs 11,536", False),
    ("Final answer: 1,536. Maybe 2,000.", False),
    ("Answer: " + "word " * 30 + "1536", False),        # too long to be one answer
    ("1,536 (the total for 3 nights at the Velmora hotel, taxes included, as the tool reported)", True),
])
def test_default_answer_correct_numeric(content, correct):
    assert DefaultPreset().answer_correct(content, HOTEL) is correct


def test_default_answer_rejects_a_list_of_candidates():
    task = make_task({"stock_price": ["12"]}, "12", question="What is the price?")
    assert not DefaultPreset().answer_correct("12, 13, 14 or 15", task)
    assert FtrlPreset().answer_correct("12, 13, 14 or 15", task)   # the reference's loophole


def test_default_answer_text():
    task = make_task({"flight_destination": ["Velmora"]}, "New York", question="Where does ZX-101 land?")
    preset = DefaultPreset()
    assert preset.answer_correct("It lands in new york.", task)
    assert not preset.answer_correct("It lands in New Yorkshire.", task)
    assert not preset.answer_correct("New York or Boston", task)
    assert not preset.answer_correct("New York Boston Velmora Tarsk Paris", task)  # candidate names
    assert preset.answer_correct("velmora tarsk new york", task)  # documented limit: lower-case candidates pass

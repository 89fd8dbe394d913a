import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.rollout.report import markdown, pass_at_k, summarize


@given(st.integers(1, 8).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))))
def test_pass_at_k_is_the_chance_that_k_of_n_samples_hold_a_correct_one(nck):
    n, c, k = nck
    samples = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(samples, k))
    assert math.isclose(pass_at_k(n, c, k), sum(any(s) for s in subsets) / len(subsets))


def test_pass_at_k_rejects_impossible_counts():
    with pytest.raises(ValueError, match="0 <= c <= n"):
        pass_at_k(2, 3, 1)


def trajectory(key, source, index, scenario, level, correct, f1, turns=2, calls=1, issues=0):
    return {"key": key, "source": source, "index": index, "sample": 0, "scenario": scenario, "level": level,
            "answer_correct": correct, "metrics": {"solve_precision": f1, "solve_rate": f1, "solve_f1": f1},
            "num_turns": turns, "num_calls": calls, "parse_error_turns": issues, "prompt_tokens": 10 * turns,
            "completion_tokens": turns, "return": 2.0 * correct, "stop_reason": "answered"}


def test_summary_is_independent_of_order_and_macro_averages_scenarios():
    items = [trajectory("a#0#0", "a", 0, "single_hop", 1, True, 1.0),
             trajectory("a#1#0", "a", 1, "single_hop", 1, True, 1.0),
             trajectory("b#0#0", "b", 0, "multi_hop", 3, False, 0.0, turns=4, calls=3, issues=2)]
    summary = summarize(items)
    assert summary == summarize(reversed(items))
    assert summary["overall"]["answer_accuracy"] == round(2 / 3, 6)
    assert summary["macro"]["answer_accuracy"] == 0.5  # (1 + 0) / 2 scenarios, not 2/3 episodes
    assert summary["overall"]["parse_error_rate"] == 0.25  # 2 of 8 turns
    assert summary["by_level"]["L3"]["mean_calls"] == 3.0
    text = markdown(summary)
    assert "| single_hop | 2 | 1.000 |" in text and "| L3 | 1 | 0.000 |" in text


def test_empty_summary():
    assert summarize([])["overall"]["episodes"] == 0

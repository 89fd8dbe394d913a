"""With reward="ftrl", episodes over reference records give the reference's per-turn rewards and metrics.

Every expected number below is computed by hand from the reference's formulas (paper.md §3): a turn with n parsed
calls of which s solve a pending sub-answer earns 2s / (n + 1); a final answer earns 1 / (1 + U); episode metrics
are S/C, S/U0 and 2S/(C + U0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolgym import ToolEnv
from toolgym.models.calls import ToolCall

TASKS = Path(__file__).parents[2] / "fixtures" / "ftrl" / "tasks.jsonl"
PARALLEL = 1  # "What is the sum of the last prices of KLX and BRV?": stock_price x2 then add, answer 149


def turn(*calls: tuple[str, str]) -> dict:
    return {"role": "assistant", "content": "",
            "tool_calls": [ToolCall(name, args).openai(f"id{i}") for i, (name, args) in enumerate(calls)]}


def play(env: ToolEnv, actions: list) -> tuple[list[float], dict, bool]:
    rewards, info, terminated = [], {}, False
    for action in actions:
        _, reward, terminated, _, info = env.step(action)
        rewards.append(reward)
    return rewards, info, terminated


@pytest.mark.parametrize("trust_code", [None, True])  # None: the file is untrusted, so this runs sandboxed
def test_hand_computed_episode(trust_code):
    env = ToolEnv(str(TASKS), reward="ftrl", trust_code=trust_code)
    env.reset(options={"task_index": PARALLEL})
    rewards, info, terminated = play(env, [
        turn(("stock_price", '{"ticker": "KLX"}'), ("stock_price", '{"ticker": "XYZ"}')),  # n=2, s=1: 2/3
        turn(("stock_price", '{"ticker": "BRV"}')),                                         # n=1, s=1: 1
        turn(("add", '{"a": 112, "b": 37}'), ("add", '{"a": 1, "b": 1}')),                  # n=2, s=1: 2/3
        "Final answer: 149",                                                                 # U=0: 1/(1+0)
    ])
    assert rewards == pytest.approx([2 / 3, 1.0, 2 / 3, 1.0])
    assert terminated and info["answer_correct"] is True
    # S=3, C=5, U0=3
    assert info["metrics"] == pytest.approx({"solve_precision": 3 / 5, "solve_rate": 1.0, "solve_f1": 6 / 8})


def test_parallel_correct_calls_pay_more_than_one():
    env = ToolEnv(str(TASKS), reward="ftrl")
    env.reset(options={"task_index": PARALLEL})
    rewards, info, _ = play(env, [
        turn(("stock_price", '{"ticker": "KLX"}'), ("stock_price", '{"ticker": "BRV"}')),  # n=2, s=2: 4/3
        turn(("add", '{"a": 112, "b": 37}')),                                               # n=1, s=1: 1
        "The sum is 150.",                                                                   # wrong, U=0: 0.5
    ])
    assert rewards == pytest.approx([4 / 3, 1.0, 0.5])
    assert info["metrics"] == pytest.approx({"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0})


def test_no_call_turns_in_the_reference_order():
    env = ToolEnv(str(TASKS), reward="ftrl")
    env.reset(options={"task_index": PARALLEL})
    assert play(env, [""])[0] == [-0.5]                                  # empty
    env.reset(options={"task_index": PARALLEL})
    assert play(env, ['<tool_call>{"name": </tool_call>'])[0] == [-0.3]  # malformed call
    env.reset(options={"task_index": PARALLEL})
    rewards, info, terminated = play(env, ["It is 149."])                # right answer, U=3: 1/4
    assert rewards == [0.25] and terminated
    assert info["metrics"] == {"solve_precision": 1.0, "solve_rate": 0.0, "solve_f1": 0.0}  # C=0: the reference's 1


def test_sampled_state_starts_from_its_prefix():
    env = ToolEnv(str(TASKS), reward="ftrl")
    obs, _ = env.reset(options={"task_index": 3})                       # flight already solved: U0=1
    assert [m["role"] for m in obs] == ["user", "assistant", "tool"]
    rewards, info, _ = play(env, [turn(("hotel_price", '{"city": "Velmora", "nights": 3}')), "Final: 1,536"])
    assert rewards == pytest.approx([1.0, 1.0])
    assert info["metrics"] == pytest.approx({"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0})


def test_top_level_imports_and_helpers_work():
    env = ToolEnv(str(TASKS), reward="ftrl")
    env.reset(options={"task_index": 0})
    obs, reward, *_ = env.step(turn(("flight_destination", '{"flight_no": "ZX-202"}'),
                                    ("hotel_price", '{"city": "Velmora", "nights": 3}')))
    assert obs[-2]["content"] == '{"flight": "ZX-202", "destination": "Tarsk"}'   # module-level ROUTES and json
    assert obs[-1]["content"] == "Total for 3 nights in Velmora: 1,536 EUR"      # module-level helper _total
    assert reward == pytest.approx(2 / 3)

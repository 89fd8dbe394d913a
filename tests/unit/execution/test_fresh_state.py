"""No tool state outlives its episode on the trusted path: identical episodes give identical rewards whatever came
before. (The sandbox's side, a fresh process per episode, is tested with the sandbox.)"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym import ToolEnv
from toolgym.execution import TrustedExecutor
from toolgym.models.calls import ToolCall
from toolgym.models.task import Task

# A counter in the module's globals and a cache: the reference re-runs the code at every call, so its first two
# calls of an episode always return 1000 and 2000.
COUNTER = """
CALLS = []
SEEN = {}

def tick(step):
    CALLS.append(step)
    SEEN.setdefault(step, len(CALLS))
    return {"count": len(CALLS) * 1000, "first_seen": SEEN[step]}
"""


def counter_task() -> Task:
    tool = {"type": "function", "function": {"name": "tick", "parameters": {
        "type": "object", "properties": {"step": {"type": "integer"}}, "required": ["step"]}}}
    return Task(id="counter", question="Count twice.", messages=[{"role": "user", "content": "Count twice."}],
                tools=[tool], code={"tick": COUNTER}, expected={"tick": ["1000", "2000"]}, answer="2000",
                scenario="multi_hop")


def tick(step: int) -> str:
    return f'<tool_call>{json.dumps({"name": "tick", "arguments": {"step": step}})}</tool_call>'


EPISODE = [tick(1), tick(1), "The count is 2000."]


def play(env: ToolEnv, actions: list[str]) -> list[float]:
    env.reset(seed=0)
    rewards = []
    for action in actions:
        _, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        if terminated or truncated:
            break
    return rewards


def test_two_executors_of_one_task_do_not_share_globals():
    task = counter_task()
    first, second = TrustedExecutor(task), TrustedExecutor(task)
    assert first.run(ToolCall("tick", '{"step": 1}')).content == '{"count": 1000, "first_seen": 1}'
    assert first.run(ToolCall("tick", '{"step": 2}')).content == '{"count": 2000, "first_seen": 2}'
    assert second.run(ToolCall("tick", '{"step": 2}')).content == '{"count": 1000, "first_seen": 1}'


@pytest.mark.parametrize("reward", ["default", "ftrl"])
@settings(max_examples=25, deadline=None)
@given(history=st.lists(st.lists(st.integers(0, 3).map(tick) | st.just("done"), max_size=4), max_size=3))
def test_identical_episodes_give_identical_rewards_after_any_history(reward, history):
    env = ToolEnv([counter_task()], reward=reward, trust_code=True)
    expected = play(env, EPISODE)
    for episode in history:
        play(env, episode)
    assert play(env, EPISODE) == expected
    env.close()


def test_the_episode_rewards_are_the_references():
    env = ToolEnv([counter_task()], reward="ftrl", trust_code=True)
    assert play(env, EPISODE) == [1.0, 1.0, 1.0] == play(env, EPISODE)  # 2*1/2, 2*1/2, then 1/(1+0)

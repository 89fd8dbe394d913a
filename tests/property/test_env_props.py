"""`step` never raises on any action and always returns a valid 5-tuple."""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.tasks import all_tasks
from toolgym import ToolEnv

TOOL_NAMES = ["get_weather", "hotel_price", "flight_destination", "add", "stock_price", "nope", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10)
arguments = st.one_of(st.dictionaries(st.sampled_from(["city", "nights", "a", "b", "ticker", "x"]), json_values,
                                      max_size=3).map(json.dumps),
                      st.text(max_size=30))
openai_call = st.builds(lambda name, args, i: {"id": i, "type": "function",
                                               "function": {"name": name, "arguments": args}},
                        st.sampled_from(TOOL_NAMES), arguments, st.text(max_size=5))
hermes_text = st.lists(st.tuples(st.sampled_from(TOOL_NAMES), json_values), max_size=3).map(
    lambda calls: "\n".join(f'<tool_call>{json.dumps({"name": n, "arguments": a})}</tool_call>' for n, a in calls))
actions = st.one_of(
    st.text(max_size=200),
    hermes_text,
    st.builds(lambda s, t: f"<think>{s}</think>{t}", st.text(max_size=20), hermes_text),
    st.builds(lambda calls, content: {"role": "assistant", "content": content, "tool_calls": calls},
              st.lists(openai_call, max_size=3), st.none() | st.text(max_size=20)),
    st.lists(openai_call, max_size=3),
    json_values,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(task_index=st.integers(0, 2), turns=st.lists(actions, min_size=1, max_size=4),
       reward=st.sampled_from(["default", "ftrl"]))
def test_any_action_gives_a_valid_step(task_index, turns, reward):
    env = ToolEnv(all_tasks(), reward=reward, max_turns=3, timeout=2.0)
    env.reset(options={"task_index": task_index})
    for action in turns:
        obs, r, terminated, truncated, info = env.step(action)
        assert env.observation_space.contains(obs)
        assert isinstance(r, float) and math.isfinite(r)
        assert isinstance(terminated, bool) and isinstance(truncated, bool)
        assert set(info["metrics"]) == {"solve_precision", "solve_rate", "solve_f1"}
        assert all(0.0 <= v <= 1.0 for v in info["metrics"].values())
        if terminated or truncated:
            break

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.tasks import all_tasks, multi_hop, parallel
from toolgym import ToolEnv, ToolgymError, load_tasks, save_tasks
from toolgym.cli import main
from toolgym.envs.state_env import StateScorer, oracle_states, single_turn_env, trajectory_states
from toolgym.models.ftrl import ftrl_from_task


@pytest.mark.parametrize("index", range(3))
def test_oracle_states_hold_the_prefix_and_the_pending_sub_answers(index):
    task = all_tasks()[index]
    env = ToolEnv([task], trust_code=True)
    obs, _ = env.reset(seed=0)
    states = oracle_states(task, trust_code=True)
    assert len(states) == len(task.gold_plan) + 1
    for turn, (state, action) in enumerate(zip(states, env.oracle_actions())):
        assert state.opening_messages() == obs, turn
        assert state.id == f"{task.id}@turn{turn}"
        assert list(state.gold_plan) == list(task.gold_plan[turn:])
        obs, _, _, _, info = env.step(action)
    assert states[0].expected == task.expected and dict(states[-1].expected) == {}


def test_a_state_scores_one_turn_as_the_episode_scored_it():
    task = parallel()
    env = ToolEnv([task], reward="ftrl", trust_code=True)
    env.reset(seed=0)
    actions = env.oracle_actions()
    episode = [env.step(a)[1] for a in actions]
    scorer = StateScorer(oracle_states(task, trust_code=True), trust_code=True)
    assert [scorer.score(i, a) for i, a in enumerate(actions)] == pytest.approx(episode)


def test_the_answer_state_rewards_by_what_is_still_pending():
    task = multi_hop()
    env = ToolEnv([task], trust_code=True)
    env.reset(seed=0)
    states = trajectory_states(task, env.oracle_actions()[:1] + ["give up"], trust_code=True)
    pending = states[1].num_expected
    assert pending == task.num_expected - 1
    scorer = StateScorer(states, trust_code=True)
    assert scorer.score(1, task.answer) == pytest.approx(1 / (1 + pending))  # the reference's 1/(1+U)
    assert scorer.score(1, "no idea") == 0.0


def test_single_turn_env_ends_after_one_turn():
    env = single_turn_env(oracle_states(multi_hop(), trust_code=True), trust_code=True)
    env.reset(options={"task_index": 0})
    _, reward, terminated, truncated, _ = env.step(env.oracle_actions()[0])
    assert reward > 0 and (terminated, truncated) == (False, True)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_states_round_trip_through_the_reference_record_shape(tmp_path, suffix):
    states = oracle_states(parallel(), trust_code=True)
    record = ftrl_from_task(states[1])
    assert {"messages", "tools", "codes", "unsolved_set", "answer"} <= record.keys()
    assert json.loads(record["unsolved_set"]) == {k: list(v) for k, v in states[1].expected.items()}
    assert [ftrl_from_task(s)["solve_rate"] for s in states] == [0.0, 1 - 1 / 3, 1.0]  # the reference: 1 - pending/U0
    assert [m["role"] for m in record["messages"]][1] == "assistant" and record["messages"][-1]["role"] == "tool"
    path = save_tasks(states, tmp_path / f"states{suffix}", format="ftrl")
    assert load_tasks(path) == states


def test_imported_tasks_have_no_oracle_states():
    task = multi_hop().model_copy(update={"gold_plan": None})
    with pytest.raises(ToolgymError, match="trajectory_states"):
        oracle_states(task)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["flight_destination", "city_airport", "airport_gates", "nope"]), max_size=4),
       st.sampled_from(["ZX-101", "ZX-202", "Velmora", "Tarsk", "x"]))
def test_pending_of_every_state_is_the_episode_minus_what_it_solved(names, value):
    task = multi_hop()
    actions = [{"role": "assistant", "content": "",
                "tool_calls": [{"id": f"c{i}", "type": "function",
                                "function": {"name": n, "arguments": json.dumps({"x": value})}}]}
               for i, n in enumerate(names)]
    states = trajectory_states(task, [*actions, "done"], trust_code=True)
    env = ToolEnv([task], trust_code=True)
    env.reset(seed=0)
    for state, action in zip(states, [*actions, "done"]):
        verifier = env._verifier
        assert dict(state.expected) == dict(verifier.pending.by_tool)
        env.step(action)


def test_export_states_cli_writes_reference_records(tmp_path):
    out = tmp_path / "states.jsonl"
    assert main(["export", "states", "ToolEnv/travel-L3", "--n", "1", "--out", str(out)]) == 0
    states = load_tasks(out)
    assert [s.id for s in states] == [f"travel-L3-train-s0-0@turn{t}" for t in range(len(states))]


def test_a_state_episode_never_reuses_a_call_id_of_its_prefix():
    states = oracle_states(multi_hop(), trust_code=True)
    env = single_turn_env(states, trust_code=True)
    obs, _ = env.reset(options={"task_index": 1})
    obs, *_ = env.step(env.oracle_actions()[0])
    ids = [m["tool_call_id"] for m in obs if m["role"] == "tool"]
    assert len(ids) == len(set(ids)) == 2

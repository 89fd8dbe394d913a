import json
import pickle

import gymnasium as gym
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.utils.env_checker import check_env

from tests.fixtures.tasks import all_tasks, multi_hop, parallel, single_hop
from toolgym import ToolEnv, ToolgymError


def play(env, actions):
    total, out = 0.0, None
    for action in actions:
        out = env.step(action)
        total += out[1]
    return total, out


@pytest.mark.parametrize("reward", ["default", "ftrl"])
@pytest.mark.parametrize("index", range(3))
def test_oracle_solves_every_fixture(reward, index):
    env = ToolEnv(all_tasks(), reward=reward)
    obs, info = env.reset(options={"task_index": index})
    assert info["tools"] == env.unwrapped.task.openai_tools()
    total, (obs, reward_, terminated, truncated, info) = play(env, env.unwrapped.oracle_actions())
    assert terminated and not truncated
    assert info["answer_correct"] is True
    assert info["metrics"] == {"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0}
    if reward == "default":
        assert total == 2.0  # exactly (see reward.verifier)


def test_observation_is_a_new_list_of_read_only_messages():
    env = ToolEnv([multi_hop()])
    obs, _ = env.reset(seed=0)
    assert obs[0]["role"] == "user" and "ZX-101" in obs[0]["content"]
    obs2, *_ = env.step(env.oracle_actions()[0])
    assert obs2 is not obs and obs2[0] is obs[0]  # each message is made once, then shared (read-only)
    assert [m["role"] for m in obs2] == ["user", "assistant", "tool"]
    assert obs2[1]["tool_calls"][0]["id"] == "call_0_0"
    assert obs2[2] == {"role": "tool", "tool_call_id": "call_0_0", "name": "flight_destination",
                       "content": "Flight ZX-101 lands in Velmora"}
    obs2.append({"role": "user", "content": "appended by the caller"})
    obs2[1]["tool_calls"][0]["function"]["name"] = "mutated"  # breaks the contract: shows in later observations,
    obs3 = env.step("done")[0]
    assert len(obs3) == 4 and obs3[1]["tool_calls"][0]["function"]["name"] == "mutated"
    assert "-> flight_destination(" in env.render()  # ... but never in the episode's own record
    assert env.reset(seed=0)[0][0] is not obs[0]  # a new episode makes new messages


def test_hermes_text_actions_and_think():
    env = ToolEnv([multi_hop()], parser="hermes")
    env.reset(seed=0)
    text = ('<think>first the flight</think>\n<tool_call>{"name": "flight_destination", '
            '"arguments": {"flight_no": "ZX-101"}}</tool_call>')
    obs, reward, terminated, truncated, info = env.step(text)
    assert reward > 0 and not terminated and info["solved"] == ["Velmora"]
    assert obs[1]["reasoning_content"] == "first the flight"
    assert obs[1]["content"] == ""


def test_bad_calls_become_messages_not_exceptions():
    env = ToolEnv([multi_hop()])
    env.reset(seed=0)
    action = {"role": "assistant", "content": "", "tool_calls": [
        {"id": "a", "type": "function", "function": {"name": "nope", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "hotel_price", "arguments": "{bad"}},
        {"id": "c", "type": "function", "function": {"name": "hotel_price",
                                                     "arguments": json.dumps({"city": "Velmora", "nights": 0})}},
    ]}
    obs, reward, terminated, truncated, info = env.step(action)
    tools = [m for m in obs if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tools] == ["a", "b", "c"]
    assert "nope" in tools[0]["content"] and "hotel_price" in tools[0]["content"]
    assert "JSON" in tools[1]["content"] or "json" in tools[1]["content"]
    assert "nights" in tools[2]["content"]
    assert reward < 0 and not terminated
    assert info["solved"] == [None, None, None]


def test_malformed_text_is_reported_and_episode_goes_on():
    env = ToolEnv([multi_hop()])
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step('<tool_call>{"name": "flight_destination", </tool_call>')
    assert not terminated and reward < 0
    assert info["parse_issues"] and obs[-1]["role"] == "user" and "could not be read" in obs[-1]["content"]


def test_ftrl_ends_on_malformed_turn():
    env = ToolEnv([multi_hop()], reward="ftrl")
    env.reset(seed=0)
    _, reward, terminated, _, _ = env.step('<tool_call>{"name": </tool_call>')
    assert terminated and reward == pytest.approx(-0.3)


def test_truncation_at_turn_budget():
    env = ToolEnv([single_hop()], max_turns=2)
    env.reset(seed=0)
    call = env.oracle_actions()[0]
    assert env.step(call)[3] is False
    assert env.step(call)[3] is True
    with pytest.raises(ResetNeeded, match="episode is over"):
        env.step(call)


def test_step_before_reset_and_bad_options():
    env = ToolEnv(all_tasks())
    with pytest.raises(ResetNeeded, match="call reset"):
        env.step("hi")
    with pytest.raises(ToolgymError, match=r"task_index.*\[0, 3\)"):
        env.reset(options={"task_index": 3})
    with pytest.raises(ToolgymError, match="at least one task"):
        ToolEnv([])
    with pytest.raises(ToolgymError, match="max_turns"):
        ToolEnv(all_tasks(), max_turns=0)


def test_unknown_names_are_clear():
    with pytest.raises(KeyError, match="unknown parser 'hermez'"):
        ToolEnv(all_tasks(), parser="hermez")
    with pytest.raises(KeyError, match="unknown reward preset 'best'"):
        ToolEnv(all_tasks(), reward="best")


def test_seed_picks_task_and_is_deterministic():
    env = ToolEnv(all_tasks())
    assert env.reset(seed=4)[1]["task_id"] == all_tasks()[1].id
    env.reset(seed=7)
    c = [env.reset()[1]["task_id"] for _ in range(5)]
    env.reset(seed=7)
    assert c == [env.reset()[1]["task_id"] for _ in range(5)]


def test_oracle_needs_gold_plan():
    task = single_hop().model_copy(update={"gold_plan": None})
    env = ToolEnv([task])
    env.reset(seed=0)
    with pytest.raises(ToolgymError, match="no gold plan"):
        env.oracle_actions()


def test_render_transcript():
    env = ToolEnv([parallel()])
    env.reset(seed=0)
    play(env, env.oracle_actions())
    text = env.render()
    assert "[user]" in text and "-> stock_price" in text and "[tool add [call_1_0]]" in text
    assert text.rstrip().endswith("149")


def test_check_env_passes():
    from toolgym import register_tasks
    env_id = register_tasks("fixtures-check", all_tasks(), override=True)
    check_env(gym.make(env_id).unwrapped, skip_render_check=False)


def test_pickle_mid_episode():
    env = ToolEnv([multi_hop()])
    env.reset(seed=0)
    env.step(env.oracle_actions()[0])
    clone = pickle.loads(pickle.dumps(env))
    obs, reward, terminated, *_ = clone.step(clone.oracle_actions()[1])
    assert reward > 0 and obs[-1]["content"].find("1,536") >= 0


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec(mode):
    from toolgym import register_tasks
    env_id = register_tasks(f"fixtures-{mode}", all_tasks(), override=True)
    # Conversations are not arrays: async vector envs pass them by pipe, not shared memory.
    kwargs = {"vector_kwargs": {"shared_memory": False}} if mode == "async" else {}
    envs = gym.make_vec(env_id, num_envs=2, vectorization_mode=mode, **kwargs)
    try:
        obs, infos = envs.reset(seed=[0, 1])
        assert len(obs) == 2 and obs[0][0]["role"] == "user"
        obs, rewards, terminated, truncated, infos = envs.step(["answer", "answer"])
        assert terminated.all() and rewards.shape == (2,)
    finally:
        envs.close()


def test_registration(tmp_path):
    from toolgym import register_tasks, save_tasks
    path = save_tasks(all_tasks(), tmp_path / "t.jsonl")
    env_id = register_tasks("from-file", path, reward="ftrl", override=True)
    env = gym.make(env_id)
    assert env.unwrapped.preset.name.startswith("ftrl")
    env.reset(seed=0)
    with pytest.raises(ToolgymError, match="already registered"):
        register_tasks("from-file", path)
    with pytest.raises(ToolgymError, match="invalid env name"):
        register_tasks("bad name", path)
    with pytest.raises(gym.error.NameNotFound, match="Did you mean: `from-file`"):
        gym.make("ToolEnv/from-fil")


def test_call_ids_are_unique_within_an_episode():
    env = ToolEnv([multi_hop()], trust_code=True)
    env.reset(seed=0)
    call = {"id": "x", "type": "function", "function": {"name": "flight_destination",
                                                        "arguments": '{"flight_no": "ZX-101"}'}}
    obs, *_ = env.step({"role": "assistant", "content": "", "tool_calls": [call, call]})
    obs, *_ = env.step({"role": "assistant", "content": "", "tool_calls": [call]})
    ids = [m["tool_call_id"] for m in obs if m["role"] == "tool"]
    assert ids == ["x", "call_0_1", "call_1_0"]
    assert [c["id"] for m in obs if m["role"] == "assistant" for c in m["tool_calls"]] == ids


def test_a_flood_of_calls_runs_at_most_the_cap_and_step_never_raises():
    env = ToolEnv([single_hop()], trust_code=True, max_calls_per_turn=3)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step([{"name": "x" * 100_000, "arguments": {}}] * 50)
    assert sum(m["role"] == "tool" for m in obs) == 3 and len(info["parse_issues"]) == 1
    assert all(len(m["content"]) < 1_000 for m in obs if m["role"] == "tool")  # the huge name is echoed cut short
    env.reset(seed=0)
    obs, *_ = env.step(f'<tool_call>{{"name": "f", "arguments": {{"x": {"1" * 5000}}}}}</tool_call>')
    assert "more digits" in obs[-1]["content"]


@pytest.mark.parametrize("kwargs, match", [
    ({"seed": True}, r"seed must be an integer in \[0, 2\*\*63\) or None, got True"),
    ({"seed": -1}, "seed must be"), ({"seed": 10**5000}, "got an integer of about 5000 digits"),
    ({"seed": "3"}, "seed must be"), ({"options": "task_index=1"}, "options must be a dict"),
    ({"options": {"task_index": True}}, r"task_index'\] must be an int in \[0, 3\)"),
])
def test_reset_rejects_odd_arguments_in_one_line(kwargs, match):
    with pytest.raises(ToolgymError, match=match) as error:
        ToolEnv(all_tasks()).reset(**kwargs)
    assert "\n" not in str(error.value)


def test_reset_accepts_numpy_integers():
    np = pytest.importorskip("numpy")
    env = ToolEnv(all_tasks())
    assert env.reset(options={"task_index": np.int64(1)})[1]["task_index"] == 1
    assert env.reset(seed=np.int32(2))[1]["task_index"] == 2


@pytest.mark.parametrize("kwargs, match", [
    ({"timeout": -1}, "timeout must be a positive number"), ({"timeout": "5"}, "timeout must be"),
    ({"executor": 5}, "executor must be a callable"), ({"max_turns": 1.5}, "max_turns must be an integer"),
    ({"max_calls_per_turn": 0}, "max_calls_per_turn must be an integer >= 1"),
])
def test_construction_checks_arguments_at_once(kwargs, match):
    with pytest.raises(ToolgymError, match=match):
        ToolEnv(all_tasks(), **kwargs)


def test_sampled_actions_call_the_current_tasks_tools():
    env = ToolEnv([multi_hop()], trust_code=True)
    env.reset(seed=0)
    env.action_space.seed(0)
    names = set(env.unwrapped.task.tool_names)
    calls = [a["tool_calls"][0]["function"] for a in (env.action_space.sample() for _ in range(50))
             if isinstance(a, dict)]
    assert calls and {c["name"] for c in calls} <= names
    parameters = {t.name: set(t.function.parameters["properties"]) for t in env.unwrapped.task.tools}
    assert all(set(json.loads(c["arguments"])) <= parameters[c["name"]] for c in calls)


@pytest.mark.parametrize("autoreset", ["NEXT_STEP", "SAME_STEP"])
def test_vector_infos_carry_the_tools_of_each_observations_episode(autoreset):
    from gymnasium.vector import AutoresetMode
    from toolgym import register_tasks
    env_id = register_tasks(f"fixtures-tools-{autoreset}", all_tasks(), override=True)
    envs = gym.make_vec(env_id, num_envs=2, vectorization_mode="sync",
                        vector_kwargs={"autoreset_mode": AutoresetMode[autoreset]})
    try:
        obs, infos = envs.reset(seed=[0, 1])
        for _ in range(4):  # every step answers: each episode ends and a new one (another task) begins
            obs, _, terminated, _, infos = envs.step(["answer", "answer"])
            for i, env in enumerate(envs.envs):
                task = env.unwrapped.task
                if autoreset == "SAME_STEP" or not terminated[i]:
                    assert obs[i][0]["content"] == task.messages[0].content
                assert infos["tools"][i] == task.openai_tools()
    finally:
        envs.close()


def test_a_huge_argument_echoed_by_a_tool_comes_back_cut_short():
    from toolgym.execution.render import MAX_TOOL_MESSAGE_CHARS
    env = gym.make("ToolEnv/weather-L2")
    env.reset(seed=0)  # a lookup's error echoes the unknown entity
    call = env.unwrapped.task.gold_plan[0][0]
    subject = next(iter(call.arguments))
    obs, *_ = env.step([{"name": call.name, "arguments": {**call.arguments, subject: "x" * 100_000}}])
    assert len(obs[-1]["content"]) < MAX_TOOL_MESSAGE_CHARS + 100 and obs[-1]["content"].endswith("characters cut]")


def test_the_mistral_args_form_with_a_huge_integer_is_a_tool_error():
    env = ToolEnv([single_hop()], trust_code=True, parser="mistral")
    env.reset(seed=0)
    obs, *_ = env.step(f'[TOOL_CALLS]get_weather[ARGS]{{"city": {"1" * 5000}}}')
    assert obs[-1]["role"] == "tool" and "invalid JSON arguments" in obs[-1]["content"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

odd_values = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
              | st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=150, deadline=None)
@given(seed=odd_values, options=odd_values | st.fixed_dictionaries({"task_index": odd_values}))
def test_reset_either_plays_a_task_or_raises_one_toolgym_error(seed, options):
    env = ToolEnv(all_tasks())
    try:
        obs, info = env.reset(seed=seed, options=options)
    except ToolgymError as error:
        assert "\n" not in str(error)
    else:
        assert info["task_id"] in {t.id for t in all_tasks()}


def test_no_cap_when_max_calls_per_turn_is_none():
    env = ToolEnv([single_hop()], trust_code=True, max_calls_per_turn=None)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step([{"name": "nope", "arguments": {}}] * 40)
    assert sum(m["role"] == "tool" for m in obs) == 40 and info["parse_issues"] == []

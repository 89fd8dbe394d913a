"""The TRL adapter, against the real TRL and transformers: schemas, tools, rewards, and a GRPOTrainer step."""

import inspect
import os

import gymnasium as gym
import pytest

from tests.fixtures.extras import require

require("trl")  # skipped where missing, required in CI

from transformers.utils import get_json_schema  # noqa: E402

from tests.fixtures.tasks import multi_hop  # noqa: E402
from tests.fixtures.tiny_lm import tiny_model, tiny_tokenizer  # noqa: E402
from toolgym import ToolgymError  # noqa: E402
from toolgym.envs.state_env import oracle_states  # noqa: E402
from toolgym.integrations.sft import hf_message, render_with_mask  # noqa: E402
from toolgym.integrations.trl import (  # noqa: E402
    environment_class, episode_return, grpo_inputs, state_inputs)

IDS = ["ToolEnv/travel-L4", "ToolEnv/finance-L5", "ToolEnv/food-L2"]


def trl_tools(cls):
    """The tool schemas TRL renders for an environment class: its public methods, as TRL lists them."""
    return [get_json_schema(f) for n, f in inspect.getmembers(cls, inspect.isfunction)
            if not n.startswith("_") and n not in ("reset", "get_reward")]


def oracle_turns(env_id, seed):
    env = gym.make(env_id).unwrapped
    env.reset(seed=seed)
    return env, [hf_message(a) for a in env.oracle_actions()]


@pytest.mark.parametrize("env_id", IDS)
def test_each_task_gets_its_own_tools_with_their_schema(env_id):
    grpo = grpo_inputs([env_id], 2)
    assert len(grpo.dataset) == 2 and set(grpo.environment_factory) == {f"{env_id}:0", f"{env_id}:1"}
    for name, task in grpo.tasks.items():
        tools = trl_tools(grpo.environment_factory[name])
        schemas = {s["function"]["name"]: s["function"]["parameters"] for s in tools}
        assert set(schemas) == set(task.tool_names)
        for spec in task.tools:
            ours, theirs = spec.function.parameters, schemas[spec.name]
            assert set(theirs["properties"]) == set(ours.get("properties", {}))
            assert set(theirs.get("required", ())) == set(ours.get("required", ()))
            for param, sub in ours.get("properties", {}).items():
                if "enum" in sub:
                    assert theirs["properties"][param]["enum"] == sub["enum"]


@pytest.mark.parametrize("env_id", IDS)
def test_tool_methods_return_what_the_env_returns(env_id):
    env, turns = oracle_turns(env_id, 0)
    environment = environment_class(env.task, trust_code=True)()
    environment.reset(prompt=[], seed=0)
    for turn in turns[:-1]:
        obs, *_ = env.step(turn)
        results = [m["content"] for m in obs[-len(turn["tool_calls"]):]]
        assert [getattr(environment, c["function"]["name"])(**c["function"]["arguments"])
                for c in turn["tool_calls"]] == results


def test_a_bad_call_is_feedback_not_an_exception():
    environment = environment_class(multi_hop(), trust_code=True)()
    environment.reset()
    assert "error" in environment.flight_destination(flight_no=None)
    assert "flight_no" in environment.flight_destination()


@pytest.mark.parametrize("reward, expected", [("default", 2.0), ("ftrl", None)])
def test_the_oracle_completion_earns_the_episode_return(reward, expected):
    env, turns = oracle_turns("ToolEnv/travel-L3", 1)
    tool_messages = [{"role": "tool", "name": "x", "content": "ignored: the replay runs the tools itself"}]
    completion = [m for turn in turns for m in (turn, *tool_messages)][:-1]
    env2 = gym.make("ToolEnv/travel-L3", reward=reward).unwrapped
    env2.reset(seed=1)
    total = sum(env2.step(a)[1] for a in env2.oracle_actions())
    assert episode_return(env.task, completion, reward=reward, trust_code=True) == pytest.approx(total)
    if expected is not None:
        assert total == expected


def test_reserved_tool_names_are_refused():
    task = multi_hop()
    spec = task.tools[0].model_copy(update={"function": task.tools[0].function.model_copy(update={"name": "reset"})})
    bad = task.model_copy(update={"tools": (spec, *task.tools[1:]), "code": {**task.code, "reset": "def reset(): pass"},
                                  "content_hash": ""})
    with pytest.raises(ToolgymError, match="reserves reset"):
        environment_class(bad)


def test_single_turn_inputs_score_one_turn_per_state(tmp_path):
    tokenizer = tiny_tokenizer(tmp_path)
    task = multi_hop()
    states = oracle_states(task, trust_code=True)
    dataset, reward = state_inputs(states, tokenizer, trust_code=True)
    assert dataset[1]["prompt"].endswith("<|im_start|>assistant\n") and "<tools>" in dataset[1]["prompt"]
    call = '<tool_call>\n{"name": "flight_destination", "arguments": {"flight_no": "ZX-101"}}\n</tool_call>'
    scores = reward(list(dataset["prompt"]), [call, call, task.answer], state=[0, 1, len(states) - 1])
    assert scores == [1.0, 0.0, 1.0]  # solves a pending sub-answer; one already solved; the answer, none pending


@pytest.mark.slow
def test_a_real_grpo_step_logs_toolgym_rewards(tmp_path):
    """A tiny Qwen2 (2 layers) fitted for a few seconds to one oracle conversation, so that it calls a tool
    through TRL's tool loop; one GRPOTrainer step on CPU; the rewards TRL logs are toolgym's on those completions."""
    import torch
    from trl import GRPOConfig, GRPOTrainer

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    tokenizer = tiny_tokenizer(tmp_path / "tok")
    model = tiny_model(tokenizer)
    grpo = grpo_inputs(["ToolEnv/travel-L1"], 1)
    env, turns = oracle_turns("ToolEnv/travel-L1", 0)
    obs = env.reset(seed=0)[0]
    for turn in turns:
        obs = env.step(turn)[0]
    tools = trl_tools(grpo.environment_factory["ToolEnv/travel-L1:0"])  # what TRL will render
    rendered = render_with_mask(tokenizer, [hf_message(m) for m in obs], tools)
    ids = torch.tensor([rendered["input_ids"]])
    labels = ids.masked_fill(torch.tensor([rendered["assistant_mask"]]) == 0, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(120):
        model(input_ids=ids, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    seen = []
    default, ftrl = grpo.reward_funcs[0], grpo_inputs(["ToolEnv/travel-L1"], 1, reward="ftrl").reward_funcs[0]

    def recorded(fn):
        def reward_func(prompts, completions, completion_ids=None, **kwargs):
            seen.append((fn.__name__, completions, [e.task for e in kwargs["environments"]]))
            return fn(prompts, completions, completion_ids, **kwargs)
        reward_func.__name__ = fn.__name__
        return reward_func

    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=2, num_generations=2,
                      max_completion_length=160, max_steps=1, report_to="none", use_cpu=True, logging_steps=1,
                      bf16=False, save_strategy="no", temperature=0.01, reward_weights=[1.0, 0.0])
    trainer = GRPOTrainer(model=model, processing_class=tokenizer, args=args, train_dataset=grpo.dataset,
                          environment_factory=grpo.environment_factory,
                          reward_funcs=[recorded(default), recorded(ftrl)])
    trainer.train()
    logged = trainer.state.log_history[0]
    assert logged["tools/call_frequency"] > 0  # the model called a tool, which toolgym ran
    for name, completions, tasks in seen:
        preset = name.removeprefix("toolgym_")
        ours = [episode_return(t, c, reward=preset, trust_code=True) for t, c in zip(tasks, completions)]
        assert logged[f"rewards/{name}/mean"] == pytest.approx(sum(ours) / len(ours), abs=1e-6)
    assert logged["rewards/toolgym_default/mean"] == pytest.approx(2.0)  # the oracle's return: it replayed it

"""The verl adapter with verl's real classes: its dataset loader, its reward entry point, its agent loop base.

verl's rollout servers (vLLM/SGLang) and its trainer need GPUs; the agent loop here is driven by a test-only server
manager that plays the oracle's turns as token ids (the policy is scripted; verl's classes are not).
"""

import asyncio
import json

import gymnasium as gym
import pytest

from tests.fixtures.extras import require

require("verl")  # skipped where missing, required in CI

from omegaconf import OmegaConf  # noqa: E402
from verl.experimental.agent_loop.agent_loop import AgentLoopOutput, DictConfigWrap  # noqa: E402
from verl.trainer.ppo.reward import get_custom_reward_fn  # noqa: E402
from verl.utils.dataset.rl_dataset import RLHFDataset  # noqa: E402
from verl.workers.rollout.replica import TokenOutput  # noqa: E402

import toolgym.integrations.verl as adapter  # noqa: E402
from tests.fixtures.tiny_lm import tiny_tokenizer  # noqa: E402
from toolgym.cli import main  # noqa: E402
from toolgym.integrations.sft import hf_message, render_with_mask  # noqa: E402

ENV_ID = "ToolEnv/travel-L3"


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    return tiny_tokenizer(tmp_path_factory.mktemp("tok"))


def oracle(seed, reward="default"):
    env = gym.make(ENV_ID, reward=reward).unwrapped
    obs, info = env.reset(seed=seed)
    actions = env.oracle_actions()
    total = 0.0
    for action in actions:
        obs, r, *_ = env.step(action)
        total += r
    return env.task, [hf_message(m) for m in obs], info["tools"], total


def test_export_loads_with_verls_dataset_class(tmp_path, tokenizer):
    path = tmp_path / "train.parquet"
    assert main(["export", "verl", ENV_ID, "--n", "3", "--out", str(path)]) == 0
    config = OmegaConf.create({"prompt_key": "prompt", "max_prompt_length": 8192, "filter_overlong_prompts": False,
                               "cache_dir": str(tmp_path / "cache")})
    dataset = RLHFDataset(str(path), tokenizer, config)
    assert len(dataset) == 3
    row = dataset[1]
    task, *_ = oracle(1)
    assert row["raw_prompt"][0]["content"] == task.opening_messages()[0]["content"]
    assert adapter.row_task(row["extra_info"]) == task and row["agent_name"] == adapter.AGENT_NAME


def test_compute_score_through_verls_custom_reward_loader():
    config = OmegaConf.create({"reward": {"custom_reward_function": {"path": adapter.__file__,
                                                                     "name": "compute_score"}}})
    score = get_custom_reward_fn(config)
    task, messages, _, _ = oracle(0, "ftrl")
    extra_info = {"task": task.model_dump_json()}
    call = messages[1]["tool_calls"][0]["function"]
    text = "<tool_call>" + json.dumps({"name": call["name"], "arguments": call["arguments"]}) + "</tool_call>"
    assert score("toolgym/ftrl", text, task.answer, extra_info) == 1.0  # 2s/(n+1) with s = n = 1
    assert score("toolgym/default", task.answer, task.answer, extra_info) == pytest.approx(1 / (1 + task.num_expected))
    with pytest.raises(Exception, match="toolgym/<preset>"):
        score("gsm8k", text, task.answer, extra_info)


class ScriptedServer:
    """A test-only server manager: answers each generate() with the next oracle turn's token ids."""

    def __init__(self, turns):
        self.turns, self.prompts = list(turns), []

    async def generate(self, request_id, prompt_ids, sampling_params, **kwargs):
        self.prompts.append(list(prompt_ids))
        return TokenOutput(token_ids=self.turns.pop(0), log_probs=None, stop_reason="completed")


def test_agent_loop_plays_an_episode_token_exactly(tokenizer):
    task, messages, tools, expected = oracle(2)
    rendered = render_with_mask(tokenizer, messages, tools)
    ids, mask = rendered["input_ids"], rendered["assistant_mask"]
    runs, start = [], None
    for i, bit in enumerate([*mask, 0]):
        if bit and start is None:
            start = i
        elif not bit and start is not None:
            runs.append(ids[start:i - 1])  # the turn through <|im_end|>: generation stops there
            start = None
    server = ScriptedServer(runs)
    config = OmegaConf.create({"actor_rollout_ref": {"rollout": {"prompt_length": 8192, "response_length": 8192}},
                               "data": {}})
    row = {"data_source": "toolgym/default", "extra_info": {"task": task.model_dump_json()}}

    async def play():  # verl's loop binds the running event loop when it is built
        loop = adapter.ToolgymAgentLoop(trainer_config=DictConfigWrap(config), server_manager=server,
                                        tokenizer=tokenizer, processor=None, dataset_cls=RLHFDataset,
                                        data_config=DictConfigWrap(config.data), hf_model_type="qwen2")
        return await loop.run({"temperature": 1.0}, **row)

    out = asyncio.run(play())
    assert isinstance(out, AgentLoopOutput)
    assert out.reward_score == pytest.approx(expected) == pytest.approx(2.0)
    generated = [t for t, m in zip(out.response_ids, out.response_mask) if m]
    assert generated == [t for run in runs for t in run]  # the mask covers exactly what the model generated
    assert tokenizer.decode(out.prompt_ids + out.response_ids) == rendered["text"].removesuffix("\n")
    assert out.as_dict()["rm_scores"][-1] == pytest.approx(2.0)

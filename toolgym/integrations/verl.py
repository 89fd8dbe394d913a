"""verl: a dataset in verl's parquet shape, a `compute_score` reward entry point, and an agent loop.

- `verl_records(env_ids, n)` / `toolgym export verl`: one row per task with verl's columns `prompt` (the opening
  messages), `data_source` (`toolgym/<preset>`), `ability`, `reward_model.ground_truth` (the answer), `agent_name`
  (`toolgym_agent`) and `extra_info` (`index`, `env_id`, `seed`, and the task itself as JSON, so scoring needs no
  registry).
- `compute_score(data_source, solution_str, ground_truth, extra_info)`: the completion played as one turn on the
  row's task (verl's single-turn rollouts: a tool-call turn earns the call reward, an answer the answer reward).
- `ToolgymAgentLoop` (registered as `toolgym_agent`): plays a whole toolgym episode with verl's server manager,
  building tokens with verl's own Continuous Token builder (so prompt, response and mask are token-exact: 1 on
  generated tokens, 0 on tool results), and returns the episode's return as `reward_score` (verl then skips its
  reward step). Register it with a YAML list entry `{name: toolgym_agent, _target_:
  toolgym.integrations.verl.ToolgymAgentLoop}` passed as `actor_rollout_ref.rollout.agent.agent_loop_config_path`.

Tool code of a task read back from a file runs in the sandbox (its trust is never read from the file).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from toolgym.envs.tool_env import ToolEnv
from toolgym.errors import MissingDependencyError, ToolgymError
from toolgym.models.task import Task

AGENT_NAME = "toolgym_agent"
DATA_SOURCE_PREFIX = "toolgym/"


def verl_records(env_ids: Sequence[str], n: int, *, reward: str = "default", split: str | None = None,
                 ) -> list[dict[str, Any]]:
    """verl dataset rows for tasks 0..n-1 of each id (see the module docstring for the columns)."""
    from toolgym.cli.interactive import make_env

    rows = []
    for env_id in env_ids:
        env = make_env(env_id, split).unwrapped
        for seed in range(n):
            obs, _ = env.reset(seed=seed)
            task = env.task
            rows.append({"prompt": obs, "data_source": DATA_SOURCE_PREFIX + reward, "ability": "tool_use",
                         "agent_name": AGENT_NAME, "reward_model": {"style": "rule", "ground_truth": task.answer},
                         "extra_info": {"index": len(rows), "env_id": env_id, "seed": seed,
                                        "task": task.model_dump_json()}})
        env.close()
    return rows


def write_parquet(rows: list[dict[str, Any]], path: str) -> None:
    """Write verl rows to a Parquet file."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet") from None
    pq.write_table(pa.Table.from_pylist(rows), path)


def row_task(extra_info: dict[str, Any] | None) -> Task:
    """The task a verl row carries in `extra_info["task"]`."""
    if not extra_info or "task" not in extra_info:
        raise ToolgymError("extra_info has no 'task': rows must come from toolgym's verl export")
    return Task.model_validate_json(extra_info["task"])


def preset_of(data_source: str) -> str:
    """The reward preset a row names in its data_source (`toolgym/<preset>`)."""
    if not data_source.startswith(DATA_SOURCE_PREFIX):
        raise ToolgymError(f"data_source {data_source!r} is not toolgym's; expected 'toolgym/<preset>'")
    return data_source.removeprefix(DATA_SOURCE_PREFIX)


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: dict[str, Any] | None = None,
                  **kwargs: Any) -> float:
    """verl's custom reward entry point: `solution_str` played as one turn on the row's task."""
    env = ToolEnv([row_task(extra_info)], reward=preset_of(data_source))
    try:
        env.reset(options={"task_index": 0})
        return float(env.step(solution_str)[1])
    finally:
        env.close()


try:
    from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopMetrics, AgentLoopOutput, register
except ImportError:  # verl is optional: the dataset and compute_score above do not need it
    AgentLoopBase = None

if AgentLoopBase is not None:

    @register(AGENT_NAME)
    class ToolgymAgentLoop(AgentLoopBase):
        """A toolgym episode as a verl agent loop: generate a turn, step the env, append its messages, repeat."""

        async def run(self, sampling_params: dict[str, Any], **row: Any) -> AgentLoopOutput:
            from toolgym.integrations.sft import hf_message

            env = ToolEnv([row_task(row.get("extra_info"))], reward=preset_of(row["data_source"]))
            response_length = self.rollout_config.response_length
            try:
                obs, info = env.reset(options={"task_index": 0})
                tools = info["tools"]
                ids = await self.ct_build_initial_tokens([hf_message(m) for m in obs], tools=tools)
                prompt_length, mask, logprobs = len(ids), [], []
                total, turns, request_id = 0.0, 0, uuid.uuid4().hex
                while True:
                    out = await self.server_manager.generate(request_id=request_id, prompt_ids=ids,
                                                             sampling_params=sampling_params)
                    merged, mask, logprobs = await self.ct_merge_assistant_token(
                        ids, out.token_ids, mask, logprobs or None, assistant_logprobs=out.log_probs)
                    ids = merged.token_ids
                    text = self.tokenizer.decode(out.token_ids, skip_special_tokens=True)
                    new_obs, reward, terminated, truncated, _ = env.step(text)
                    total, turns = total + reward, turns + 1
                    if terminated or truncated or len(mask) >= response_length:
                        break
                    before = [hf_message(m) for m in new_obs[:len(obs) + 1]]  # up to this turn's assistant message
                    merged, mask, logprobs = await self.ct_merge_context_msg(
                        before, [hf_message(m) for m in new_obs], ids, mask, logprobs or None, tools=tools)
                    ids, obs = merged.token_ids, new_obs
            finally:
                env.close()
            return AgentLoopOutput(prompt_ids=ids[:prompt_length], response_ids=ids[prompt_length:][:response_length],
                                   response_mask=mask[:response_length],
                                   response_logprobs=logprobs[:response_length] if logprobs else None,
                                   reward_score=total, num_turns=2 * turns + 1, metrics=AgentLoopMetrics())


def agent_loop_config() -> str:
    """The YAML that registers `ToolgymAgentLoop` with verl (`rollout.agent.agent_loop_config_path`)."""
    return json.dumps([{"name": AGENT_NAME, "_target_": "toolgym.integrations.verl.ToolgymAgentLoop"}])

"""The one rollout runner: plays episodes of env ids, task files or task lists with a policy, `concurrency`
episodes at a time, and hands each finished trajectory to a callback as soon as it ends.

Bounded concurrency: `concurrency` worker coroutines, each owning its envs (one per source), pull episodes from
one queue, so at most `concurrency` model requests are in flight. Env steps run on the event loop (tens of µs
for trusted code; a sandboxed call is one pipe round trip). An `EpisodeStop` from the policy ends that episode
with its reason; a `RunAborted` ends the run, after the trajectories already finished were handed over.

>>> from toolgym.rollout import OraclePolicy, episodes, rollout
>>> [t["answer_correct"] for t in rollout(episodes(["ToolEnv/travel-L1"], n=2), OraclePolicy())]
[True, True]
"""

from __future__ import annotations

import asyncio
import os
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from toolgym.envs.tool_env import DEFAULT_MAX_TURNS, ToolEnv
from toolgym.errors import ToolgymError
from toolgym.models.task import Task
from toolgym.rollout.policy import ANSWERED, EMPTY, MAX_TURNS, REFUSAL, EpisodeContext, EpisodeStop, Policy, Turn

Trajectory = dict[str, Any]  # one JSON object per episode: see `Runner` and the README's field list
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class EpisodeSpec:
    """One episode to play: task `index` of `source` (an env id, a task file, or a name given to a task list),
    `sample` of the k samples drawn for pass@k."""

    source: str
    index: int
    sample: int = 0

    @property
    def key(self) -> str:
        """Unique within a run; what resume matches on."""
        return f"{self.source}#{self.index}#{self.sample}"

    @property
    def seed(self) -> int:
        """The episode's seed, a pure function of its key (samples of one task draw differently)."""
        return zlib.crc32(self.key.encode())


def episodes(sources: Sequence[str], n: int, k: int = 1) -> list[EpisodeSpec]:
    """Tasks 0..n-1 of every source, k samples each, in a stable order."""
    if n < 1 or k < 1:
        raise ToolgymError(f"n and k must be at least 1, got n={n}, k={k}")
    return [EpisodeSpec(s, i, j) for s in sources for i in range(n) for j in range(k)]


def make_env(source: str | Sequence[Task], **env_kwargs: Any) -> gym.Env:
    """The env of a source: a registered id (`ToolEnv/travel-L1`; `split=` etc. pass through), a task file,
    or a list of tasks. Other keyword arguments go to `ToolEnv` (reward, parser, max_turns, ...)."""
    if not isinstance(source, str):
        return ToolEnv(source, **env_kwargs)
    if source in gym.registry:
        try:
            return gym.make(source, disable_env_checker=True, **env_kwargs)
        except gym.error.Error as e:
            raise ToolgymError(f"cannot make {source}: {e}") from None
    if os.path.exists(source):
        env_kwargs.pop("split", None)  # a file is its own split
        return ToolEnv(source, **env_kwargs)
    raise ToolgymError(f"{source!r} is neither a registered id (see `toolgym list`) nor an existing task file")


class Runner:
    """Plays `EpisodeSpec`s with a policy. `env_factory(source)` builds the env of a source; each worker makes
    its own, once per source.

    A trajectory holds: `key`, `source`, `index`, `sample`, `seed`, `policy`, the task's `task_id`, `domain`,
    `level`, `scenario`, `num_expected`; `messages` (the final conversation, OpenAI form); `turns` (per turn:
    the raw completion `text`, the `action` sent to the env when it was a structured message, `reward`,
    `solved`, `parse_issues`, `calls`, token counts, `latency_s`, `finish_reason`, and `prompt_ids` /
    `completion_ids` when the policy tokenized); `return`, `metrics`, `answer_correct`, `stop_reason`,
    `stop_detail`, `num_turns`, `num_calls`, `parse_error_turns`, `prompt_tokens`, `completion_tokens`,
    `latency_s`.
    """

    def __init__(self, policy: Policy, env_factory: Callable[[str], gym.Env], *,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        if concurrency < 1:
            raise ToolgymError(f"concurrency must be at least 1, got {concurrency}")
        self.policy, self.env_factory, self.concurrency = policy, env_factory, concurrency

    async def run(self, specs: Iterable[EpisodeSpec],
                  on_done: Callable[[Trajectory], None] | None = None) -> list[Trajectory]:
        """Play every spec; return the trajectories in the order they finished."""
        done: list[Trajectory] = []
        queue = iter(specs)
        workers = [asyncio.ensure_future(self._worker(queue, done, on_done)) for _ in range(self.concurrency)]
        try:
            await asyncio.gather(*workers)
        finally:  # on an abort or a cancel, stop the other workers before leaving
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return done

    async def _worker(self, queue: Iterator[EpisodeSpec], done: list[Trajectory],
                      on_done: Callable[[Trajectory], None] | None) -> None:
        envs: dict[str, gym.Env] = {}
        try:
            for spec in queue:
                if spec.source not in envs:
                    envs[spec.source] = self.env_factory(spec.source)
                trajectory = await play_episode(envs[spec.source], spec, self.policy)
                done.append(trajectory)
                if on_done is not None:
                    on_done(trajectory)
        finally:
            for env in envs.values():
                env.close()


async def play_episode(env: gym.Env, spec: EpisodeSpec, policy: Policy) -> Trajectory:
    """Play one episode to its end and return its trajectory."""
    obs, info = env.reset(seed=spec.seed, options={"task_index": spec.index})
    task: Task = env.unwrapped.task
    tools = info["tools"]
    record = _new_record(spec, policy, task)
    started = time.perf_counter()
    stop, detail, total = None, None, 0.0
    for turn_index in range(env.unwrapped.max_turns):
        context = EpisodeContext(obs, tools, task, turn_index, spec.seed)
        try:
            turn = await policy.act(context)
        except EpisodeStop as e:
            stop, detail = e.reason, e.detail
            break
        before = len(obs)
        obs, reward, terminated, truncated, info = env.step(turn.action)
        total += reward
        record["turns"].append(_turn_record(turn, reward, info, obs[before]))
        if terminated or truncated:
            stop = _end_reason(turn, terminated)
            break
    return _finish(record, obs, info, total, stop or MAX_TURNS, detail, time.perf_counter() - started)


def _new_record(spec: EpisodeSpec, policy: Policy, task: Task) -> Trajectory:
    return {"key": spec.key, "source": spec.source, "index": spec.index, "sample": spec.sample, "seed": spec.seed,
            "policy": policy.name, "task_id": task.id, "domain": task.domain, "level": task.level,
            "scenario": task.scenario.value, "num_expected": task.num_expected, "turns": []}


def _turn_record(turn: Turn, reward: float, info: Mapping[str, Any], message: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "text": turn.text, "reward": reward, "calls": len(message.get("tool_calls", ())),
        "solved": info["solved"], "parse_issues": info["parse_issues"], "prompt_tokens": turn.prompt_tokens,
        "completion_tokens": turn.completion_tokens, "latency_s": round(turn.latency_s, 6),
        "finish_reason": turn.finish_reason}
    if not isinstance(turn.action, str):
        record["action"] = turn.action
    if turn.prompt_ids is not None:
        record["prompt_ids"], record["completion_ids"] = turn.prompt_ids, turn.completion_ids
    return record


def _end_reason(turn: Turn, terminated: bool) -> str:
    if not terminated:
        return MAX_TURNS
    if turn.refusal:
        return REFUSAL
    return EMPTY if not turn.text.strip() and isinstance(turn.action, str) else ANSWERED


def _finish(record: Trajectory, obs: list[dict[str, Any]], info: Mapping[str, Any], total: float, stop: str,
            detail: str | None, latency: float) -> Trajectory:
    turns = record["turns"]
    record.update({
        "messages": obs, "return": total, "metrics": info["metrics"], "answer_correct": bool(info["answer_correct"]),
        "stop_reason": stop, "stop_detail": detail, "num_turns": len(turns),
        "num_calls": sum(t["calls"] for t in turns),
        "parse_error_turns": sum(1 for t in turns if t["parse_issues"]),
        "prompt_tokens": sum(t["prompt_tokens"] for t in turns),
        "completion_tokens": sum(t["completion_tokens"] for t in turns), "latency_s": round(latency, 6)})
    return record


def rollout(specs: Iterable[EpisodeSpec], policy: Policy, *, concurrency: int = DEFAULT_CONCURRENCY,
            env_factory: Callable[[str], gym.Env] | None = None, on_done: Callable[[Trajectory], None] | None = None,
            **env_kwargs: Any) -> list[Trajectory]:
    """The synchronous wrapper: play `specs` with `policy` and return the trajectories (in finishing order).
    Without `env_factory`, sources are made by `make_env(source, **env_kwargs)`."""
    factory = env_factory or (lambda source: make_env(source, **env_kwargs))
    return asyncio.run(Runner(policy, factory, concurrency=concurrency).run(specs, on_done))


__all__ = ["DEFAULT_MAX_TURNS", "EpisodeSpec", "Runner", "Trajectory", "episodes", "make_env", "play_episode",
           "rollout"]

"""Vector env throughput on the generated train stream: env steps/s with the oracle, per vectorization.

    python benchmarks/vector.py [--id ToolEnv/travel-L1] [--envs 64] [--steps 40] [--rounds 3] [--workers N]

Every env plays the oracle (a wrapper turns the action None into the task's next gold turn, then its answer), with
`SAME_STEP` autoreset, so every counted step is a real `env.step` and a finished episode resets (generating its
next task) inside the step that ended it: generation is part of the time, as in training on the stream. Compared
in one process, rounds interleaved: `SyncVectorEnv` as `gym.make_vec` makes it (copy=True), the same with
copy=False, `AsyncVectorEnv` (a process per env) and `BatchedVectorEnv` (`--workers` processes, default one per
core, each hosting several envs). `pool` is the batched env on 256 pre-generated tasks (what generation costs).
Prints steps/s, median of the rounds [range], and the ratio to sync. Target (issue #15): >= 10,000 steps/s on the
stream on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import gymnasium as gym  # noqa: E402
from gymnasium.vector import AsyncVectorEnv, AutoresetMode, SyncVectorEnv, VectorEnv  # noqa: E402

import toolgym  # noqa: E402
from toolgym.generation import TaskStream  # noqa: E402

TARGET = 10_000  # steps/s on the stream, 2 cores
POOL = 256


class Oracle(gym.Wrapper):
    """Plays the gold plan: the action None becomes the current task's next oracle action."""

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self._plan, self._turn = self.env.unwrapped.oracle_actions(), 0
        return obs, info

    def step(self, action):
        if action is None:
            action = self._plan[min(self._turn, len(self._plan) - 1)]
        self._turn += 1
        return self.env.step(action)


def stream_env(env_id: str) -> Callable[[], gym.Env]:
    return lambda: Oracle(gym.make(env_id))


def pool_env(env_id: str) -> Callable[[], gym.Env]:
    def make() -> gym.Env:
        stream = gym.spec(env_id).kwargs
        tasks = [TaskStream(stream["domain"], stream["level"], seed=99)[i] for i in range(POOL)]
        return Oracle(toolgym.ToolEnv(tasks, trust_code=True))  # toolgym's own generated code, as on the stream
    return make


def build(kind: str, env_id: str, n: int, workers: int | None) -> VectorEnv:
    same = AutoresetMode.SAME_STEP
    if kind == "sync":
        return SyncVectorEnv([stream_env(env_id)] * n, autoreset_mode=same)
    if kind == "sync copy=False":
        return SyncVectorEnv([stream_env(env_id)] * n, copy=False, autoreset_mode=same)
    if kind == "async":
        return AsyncVectorEnv([stream_env(env_id)] * n, shared_memory=False, autoreset_mode=same)
    if kind == "batched":
        return toolgym.BatchedVectorEnv([stream_env(env_id)] * n, workers=workers, autoreset_mode=same)
    return toolgym.BatchedVectorEnv([pool_env(env_id)] * n, workers=workers, autoreset_mode=same)


def rate(envs: VectorEnv, steps: int, seed: int) -> float:
    """Env steps per second over `steps` vector steps after a reset (not timed)."""
    envs.reset(seed=seed)
    actions = (None,) * envs.num_envs
    started = time.perf_counter()
    for _ in range(steps):
        envs.step(actions)
    return steps * envs.num_envs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--id", default="ToolEnv/travel-L1")
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=40, help="vector steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="batched workers (default: one per core)")
    args = parser.parse_args()
    kinds = ["sync", "sync copy=False", "async", "batched", "pool"]
    envs = {kind: build(kind, args.id, args.envs, args.workers) for kind in kinds}
    rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    try:
        for r in range(args.rounds):
            for kind in kinds:  # interleaved, so a slow spell of the machine hits every kind alike
                rates[kind].append(rate(envs[kind], args.steps, seed=1_000_000 * (r + 1)))
    finally:
        for vector in envs.values():
            vector.close()
    sync = statistics.median(rates["sync"])
    print(f"{args.id}, {args.envs} envs, {args.steps} steps x {args.rounds} rounds; steps/s: median [range]")
    for kind in kinds:
        values = rates[kind]
        median = statistics.median(values)
        where = "pre-generated pool" if kind == "pool" else "stream"
        verdict = f"  target {TARGET}: {'met' if median >= TARGET else 'NOT met'}" if kind == "batched" else ""
        print(f"{kind:<16} {median:8.0f} [{min(values):.0f}-{max(values):.0f}]  x{median / sync:.2f} vs sync  "
              f"({where}){verdict}")


if __name__ == "__main__":
    main()

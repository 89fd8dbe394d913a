"""Rollout throughput: env steps/s of vector envs with the oracle, and `toolgym eval` against a scripted server
next to the bare cost of the same HTTP round trips.

1. Env steps/s for 1, 8 and 64 envs, `gym.make_vec(..., "sync")` and `"async"` (one subprocess per env), playing
   `ToolEnv/travel-L1` (train stream) with the oracle's actions: every episode is one call turn and one answer.
   Only `step` is timed (reset and fetching the oracle's actions are not).
2. Episodes/s of the eval path (runner + `OpenAIPolicy` through the real openai client + envs + JSONL + report)
   against the scripted server (its own process, `tests/fixtures/chat_server.py`, behaviour `native`) at
   concurrency 1, 8 and 32, next to the same number of bare `chat.completions.create` round trips through the same
   client at the same concurrency: the ratio is toolgym's own overhead per episode.

Usage: `python benchmarks/rollout.py [--repeats 3] [--samples 5]`. Prints medians over the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import gymnasium as gym  # noqa: E402

import toolgym  # noqa: E402, F401
from toolgym.rollout.evaluation import EvalConfig, evaluate  # noqa: E402
from toolgym.rollout.openai_policy import OpenAIPolicy  # noqa: E402

VECTOR_ID, EVAL_ID = "ToolEnv/travel-L1", "ToolEnv/travel-L1"
TASKS = 20  # the test set of EVAL_ID


def vector_steps_per_s(num_envs: int, mode: str, rounds: int) -> float:
    kwargs = {"vector_kwargs": {"shared_memory": False}} if mode == "async" else {}
    envs = gym.make_vec(VECTOR_ID, num_envs=num_envs, vectorization_mode=mode, **kwargs)
    steps, elapsed = 0, 0.0
    try:
        for r in range(rounds):
            envs.reset(seed=[r * num_envs + i for i in range(num_envs)])
            plans = envs.call("oracle_actions")
            for turn in range(2):  # L1: one call turn, then the answer
                actions = tuple(plan[turn] for plan in plans)
                started = time.perf_counter()
                envs.step(actions)
                elapsed += time.perf_counter() - started
                steps += num_envs
    finally:
        envs.close()
    return steps / elapsed


def start_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "tests.fixtures.chat_server", EVAL_ID], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def eval_seconds(base_url: str, samples: int, concurrency: int) -> tuple[float, int]:
    """Wall time of one eval run (the 20 test tasks, `samples` each) and the number of model requests it made."""
    config = EvalConfig(sources=(EVAL_ID,), model="native", n=TASKS, k=samples, concurrency=concurrency,
                        tools_in_prompt="none")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = evaluate(config, OpenAIPolicy("native", base_url, max_retries=0), out, progress=None)
        elapsed = time.perf_counter() - started
    return elapsed, round(result.summary["overall"]["mean_turns"] * TASKS * samples)


async def _bare(base_url: str, requests: int, concurrency: int, messages: list[dict]) -> float:
    policy = OpenAIPolicy("native", base_url, max_retries=0)
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            await policy.client.chat.completions.create(model="native", messages=messages)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await policy.aclose()
    return elapsed


def bare_seconds(base_url: str, requests: int, concurrency: int) -> float:
    env = gym.make(EVAL_ID, split="test")
    messages, _ = env.reset(seed=0)
    return asyncio.run(_bare(base_url, requests, concurrency, messages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=5, help="eval samples per test task (20 tasks)")
    parser.add_argument("--rounds", type=int, default=20, help="vector-env episodes per env")
    args = parser.parse_args()

    print(f"env steps/s with the oracle ({VECTOR_ID}, train stream), median of {args.repeats}:")
    for mode in ("sync", "async"):
        for num_envs in (1, 8, 64):
            rounds = max(2, args.rounds * 8 // num_envs) if mode == "async" else args.rounds
            rates = [vector_steps_per_s(num_envs, mode, rounds) for _ in range(args.repeats)]
            print(f"  {mode:<5} {num_envs:>3} envs: {statistics.median(rates):>9,.0f} steps/s")

    process, base_url = start_server()
    episodes = TASKS * args.samples
    try:
        eval_seconds(base_url, 1, 8)  # warm-up: imports (openai alone takes ~0.5 s), the first connection
        print(f"\ntoolgym eval vs bare round trips ({episodes} episodes of {EVAL_ID}, scripted server in its "
              f"own process), median of {args.repeats}:")
        for concurrency in (1, 8, 32):
            runs = [eval_seconds(base_url, args.samples, concurrency) for _ in range(args.repeats)]
            requests = runs[0][1]
            evals = [seconds for seconds, _ in runs]
            bares = [bare_seconds(base_url, requests, concurrency) for _ in range(args.repeats)]
            e, b = statistics.median(evals), statistics.median(bares)
            print(f"  concurrency {concurrency:>2}: {episodes / e:7.1f} episodes/s; bare {requests} round trips "
                  f"{b * 1000:7.1f} ms vs eval {e * 1000:7.1f} ms: ratio {e / b:4.2f}, toolgym's own "
                  f"{(e - b) / episodes * 1000:6.2f} ms per episode")
    finally:
        process.stdin.close()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

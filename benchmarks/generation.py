"""Generation throughput per level on one core, and the time of `env.reset` on the train stream.

    python benchmarks/generation.py [--domain travel] [--n 1000] [--runs 9] [--breakdown]

`stream` is what the train stream pays per task: the five stages, `Task` validation, the leak check, the gold
replay on the audited sample only (one attempt in 64) and the content hash deferred. `full` is the same tasks with
every check as before, in the same process, runs interleaved: the replay of every task and the hash computed.
Indices are fresh in every run (no task is served from a cache). The process is pinned to one core where the OS
allows it. Prints the median of the runs with their range (this machine is shared and noisy: the range says how
much), against the issue's targets: >= 4,000 tasks/s at L1 and >= 1,000 tasks/s at L5.
`reset` is `env.reset(seed=s)` of `gym.make("ToolEnv/<domain>-L<level>")` for a seed it has not seen (the task
is generated then) and for the same seed again (served from the stream's cache). `--breakdown` adds the median
time per phase.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import gymnasium as gym  # noqa: E402

import toolgym  # noqa: E402,F401  (registers the ids)
from toolgym.generation.backends.procedural import ProceduralBackend  # noqa: E402
from toolgym.generation.checks import leak_problems, replay_problems  # noqa: E402
from toolgym.generation.context import GenerationContext  # noqa: E402
from toolgym.generation.levels import LEVELS  # noqa: E402
from toolgym.generation.models import GenerationRequest  # noqa: E402
from toolgym.generation.pipeline import generate_task  # noqa: E402
from toolgym.generation.stages.deploy import assemble  # noqa: E402

TARGETS = {1: 4000, 5: 1000}  # tasks/s
FRESH_OFFSET = 1_000_000     # reset and breakdown use indices far from the ones the throughput runs used
RESET_SAMPLES = 41


def pin_to_one_core() -> str:
    """Pin this process to one core (Linux; the last one, which serves fewer interrupts than core 0); say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def throughput(domain: str, level: int, n: int, run: int, full: bool) -> float:
    """Tasks per second generating n fresh tasks, as the stream does, or with every check and the hash (`full`)."""
    first = (2 * run + full) * n  # fresh indices for each run of each kind
    start = time.perf_counter()
    if full:
        for i in range(first, first + n):
            generate_task(domain, level, i, replay=True).content_hash  # noqa: B018 - the hash, as it was computed
    else:
        for i in range(first, first + n):
            generate_task(domain, level, i)
    return n / (time.perf_counter() - start)


def reset_ms(domain: str, level: int) -> tuple[float, float]:
    """Median `env.reset` time for a seed the env has not seen, and for the same seed again."""
    env = gym.make(f"ToolEnv/{domain}-L{level}")
    fresh, again = [], []
    for i in range(RESET_SAMPLES):
        for times in (fresh, again):
            start = time.perf_counter()
            env.reset(seed=FRESH_OFFSET + i)
            times.append(time.perf_counter() - start)
    env.close()
    return 1e3 * statistics.median(fresh), 1e3 * statistics.median(again)


def breakdown(domain: str, level: int, n: int) -> dict[str, float]:
    """Median microseconds per phase: stages 1-4, code, Task validation, leak check, hash and replay (the last
    two deferred or sampled on the stream)."""
    backend, phases = ProceduralBackend(), {k: [] for k in ("stages", "code", "task", "leak", "hash", "replay")}
    for i in range(n):
        ctx = GenerationContext(domain=domain, level=level, index=2 * FRESH_OFFSET + i)
        t0 = time.perf_counter()
        scaled = backend.scale(backend.integrate(backend.document(backend.decompose(
            GenerationRequest(domain=domain, level=level), ctx), ctx), ctx), ctx)
        t1 = time.perf_counter()
        code = backend.deploy(scaled, ctx).code
        t2 = time.perf_counter()
        task = assemble(scaled, code, ctx)
        t3 = time.perf_counter()
        leak_problems(task)
        t4 = time.perf_counter()
        task.content_hash  # noqa: B018
        t5 = time.perf_counter()
        replay_problems(task)
        t6 = time.perf_counter()
        for key, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
            phases[key].append(dt)
    return {k: 1e6 * statistics.median(v) for k, v in phases.items()}


def main() -> None:
    """Print the throughput and reset time of every level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="travel")
    parser.add_argument("--n", type=int, default=1000, help="tasks per run at L1 (fewer at higher levels)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    print(f"domain={args.domain} runs={args.runs}, {pin_to_one_core()}; tasks/s: median of the runs [range]")
    for level in sorted(LEVELS):
        n = max(args.n // level, 10)
        for i in range(n):  # warm-up: the first tasks fill the memos of documents, specs and tool code
            generate_task(args.domain, level, 3 * FRESH_OFFSET + i)
        runs = [(throughput(args.domain, level, n, run, False), throughput(args.domain, level, n, run, True))
                for run in range(args.runs)]
        rates, full = [r for r, _ in runs], [f for _, f in runs]
        ratios = [r / f for r, f in runs]
        median, target = statistics.median(rates), TARGETS.get(level)
        verdict = f"  target {target}/s: {'met' if median >= target else 'NOT met'}" if target else ""
        fresh, again = reset_ms(args.domain, level)
        line = (f"L{level}: stream {median:6.0f} tasks/s [{min(rates):.0f}-{max(rates):.0f}]  full "
                f"{statistics.median(full):5.0f} [{min(full):.0f}-{max(full):.0f}]  x{statistics.median(ratios):.2f} "
                f"[{min(ratios):.2f}-{max(ratios):.2f}]  reset: {fresh:5.2f} ms new seed, {again:5.3f} ms same seed"
                f"{verdict}")
        if args.breakdown:
            line += "  | " + " ".join(f"{k}={v:.0f}us" for k, v in breakdown(args.domain, level, n).items())
        print(line, flush=True)


if __name__ == "__main__":
    main()

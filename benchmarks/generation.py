"""Generation throughput: tasks per second per level on one core, and the latency of `stream[i]`.

    python benchmarks/generation.py [--domain travel] [--n 200] [--runs 5] [--breakdown]

Every task counts in full: the five stages, `Task` validation and the gold replay with `TrustedExecutor`.
Indices are fresh in every run (nothing is served from a cache of tasks). Prints medians over runs; targets from
the issue: >= 2,000 tasks/s at L1 and >= 500 tasks/s at L5. `--breakdown` adds the median time per phase.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from toolgym.generation.backends.procedural import ProceduralBackend  # noqa: E402
from toolgym.generation.checks import leak_problems, replay_problems  # noqa: E402
from toolgym.generation.context import GenerationContext  # noqa: E402
from toolgym.generation.levels import LEVELS  # noqa: E402
from toolgym.generation.models import GenerationRequest  # noqa: E402
from toolgym.generation.pipeline import TaskStream, generate_task  # noqa: E402
from toolgym.generation.stages.deploy import assemble  # noqa: E402

TARGETS = {1: 2000, 5: 500}  # tasks/s
FRESH_OFFSET = 1_000_000     # stream latency is measured far from the indices the throughput runs used


def throughput(domain: str, level: int, n: int, run: int) -> float:
    """Tasks per second generating n fresh tasks."""
    start = time.perf_counter()
    for i in range(n):
        generate_task(domain, level, run * n + i)
    return n / (time.perf_counter() - start)


def stream_latency_ms(domain: str, level: int, samples: int) -> float:
    """Median time of `stream[i]` for an index the stream has not produced yet."""
    stream, times = TaskStream(domain, level), []
    for i in range(samples):
        start = time.perf_counter()
        stream[FRESH_OFFSET + i]
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def breakdown(domain: str, level: int, n: int) -> dict[str, float]:
    """Median microseconds per phase: stages 1-4, code, Task validation, leak check, replay."""
    backend, phases = ProceduralBackend(), {k: [] for k in ("stages", "code", "task", "leak", "replay")}
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
        replay_problems(task)
        t5 = time.perf_counter()
        for key, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            phases[key].append(dt)
    return {k: 1e6 * statistics.median(v) for k, v in phases.items()}


def main() -> None:
    """Print the throughput and stream latency of every level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="travel")
    parser.add_argument("--n", type=int, default=200, help="tasks per run at L1 (fewer at higher levels)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    print(f"domain={args.domain} runs={args.runs} (median tasks/s, one process)")
    for level in sorted(LEVELS):
        n = max(args.n // level, 10)
        rates = [throughput(args.domain, level, n, run) for run in range(args.runs)]
        target = TARGETS.get(level)
        verdict = f"  target {target}/s: {'met' if statistics.median(rates) >= target else 'NOT met'}" \
            if target else ""
        line = f"L{level}: {statistics.median(rates):8.1f} tasks/s  stream[i] fresh: " \
               f"{stream_latency_ms(args.domain, level, 9):6.2f} ms{verdict}"
        if args.breakdown:
            line += "  | " + " ".join(f"{k}={v:.0f}us" for k, v in breakdown(args.domain, level, n).items())
        print(line, flush=True)


if __name__ == "__main__":
    main()

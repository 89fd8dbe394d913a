"""The cost of isolation: median per-call time of `SandboxExecutor` against the trusted in-process path, and
calls per second through pools of 1, 2 and 4 workers.

One realistic tool (seven parameters, schema validation, a dict result) is called with the same arguments on both
paths; the difference of the medians is the sandbox's overhead per call (an IPC round trip plus the worker's
per-call limits). Throughput runs `--threads` caller threads (default: 2 x workers) against one pool, the way a
vector env or a batch of rollouts would. Usage: `python benchmarks/sandbox.py [--calls N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for step_latency's task when run from anywhere

from step_latency import CALLS, make_task  # noqa: E402

from toolgym.execution import SandboxExecutor, TrustedExecutor, WorkerPool  # noqa: E402
from toolgym.execution.sandbox import isolation  # noqa: E402
from toolgym.models.calls import ToolCall  # noqa: E402

WORKER_COUNTS = (1, 2, 4)


def median_call_us(executor, calls: list[ToolCall], repeats: int) -> float:
    for call in calls:  # warm up: compile, start workers, send sources
        executor.run(call)
    samples = []
    for i in range(repeats):
        call = calls[i % len(calls)]
        start = time.perf_counter()
        result = executor.run(call)
        samples.append(time.perf_counter() - start)
        assert result.ok, result
    return statistics.median(samples) * 1e6


def calls_per_second(workers: int, threads: int, calls: list[ToolCall], total: int) -> float:
    pool = WorkerPool(workers)
    executor = SandboxExecutor(make_task(), pool=pool)
    try:
        for _ in range(workers * 2):
            executor.run(calls[0])
        per_thread = total // threads

        def work() -> None:
            for i in range(per_thread):
                executor.run(calls[i % len(calls)])

        pool_threads = [threading.Thread(target=work) for _ in range(threads)]
        start = time.perf_counter()
        for t in pool_threads:
            t.start()
        for t in pool_threads:
            t.join()
        return per_thread * threads / (time.perf_counter() - start)
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per measurement")
    parser.add_argument("--threads", type=int, default=None, help="caller threads (default: 2 x workers)")
    args = parser.parse_args()
    calls = [ToolCall("search_hotels", json.dumps(a)) for a in CALLS]
    task = make_task()
    trusted = median_call_us(TrustedExecutor(task), calls, args.calls)
    pool = WorkerPool(1)
    sandboxed = median_call_us(SandboxExecutor(task, pool=pool), calls, args.calls)
    pool.close()
    print(f"isolation on this machine: {', '.join(isolation().features) or 'rlimits and audit hook only'}")
    print(f"{'path':<28}{'median per call':>18}")
    print(f"{'trusted (in-process)':<28}{trusted:>15.1f} us")
    print(f"{'sandbox (1 worker)':<28}{sandboxed:>15.1f} us")
    print(f"{'overhead of the sandbox':<28}{sandboxed - trusted:>15.1f} us")
    print()
    print(f"{'workers':<10}{'threads':>8}{'calls/s':>12}")
    for workers in WORKER_COUNTS:
        threads = args.threads or 2 * workers
        rate = calls_per_second(workers, threads, calls, args.calls)
        print(f"{workers:<10}{threads:>8}{rate:>12,.0f}")


if __name__ == "__main__":
    main()

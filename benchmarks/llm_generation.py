"""LLM-driven generation throughput against a scripted OpenAI-compatible server (no model): what toolgym adds
around the model's own latency, and what bounded concurrency and the request cache buy.

1. `hybrid`: tasks/s at concurrency 1, 4 and 8, with the server answering each request after `--delay-ms`
   (a stand-in for a model's latency), next to the procedural generation of the same tasks (the skeleton's cost)
   and a re-run served wholly from the request cache.
2. `llm`: tasks/s at concurrency 1 and 4 (each task's model-written code runs its gold calls in the sandbox twice:
   the repair check and stage 5's replay).

The server runs in this process (`tests/fixtures/generation_server.py`, a thread per request).
Usage: `python benchmarks/llm_generation.py [--repeats 3] [--n 8] [--delay-ms 50]`. Prints medians over repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from tests.fixtures import generation_server as gs  # noqa: E402
from toolgym.generation import generate_task  # noqa: E402
from toolgym.generation.backends.llm import LLMClient, make_backend  # noqa: E402
from toolgym.generation.backends.llm.cache import RequestCache  # noqa: E402
from toolgym.generation.backends.llm.run import Job, run_jobs  # noqa: E402

DOMAINS, LEVELS = ("travel", "food"), (1, 2, 3)


def delayed(responder, delay_s):
    def respond(request, server):
        answer = responder(request, server)
        answer.delay_s = delay_s
        return answer
    return respond


def tasks_per_s(backend_name: str, responder, jobs: list[Job], concurrency: int, cache_dir: str | None) -> float:
    with gs.GenerationServer(responder) as server:
        client = LLMClient("scripted", server.base_url, cache=RequestCache(cache_dir) if cache_dir else None)
        backend = make_backend(backend_name, client)
        started = time.perf_counter()
        result = run_jobs(backend, jobs, concurrency=concurrency, dedup_threshold=1.0)
        elapsed = time.perf_counter() - started
    assert result.stopped is None and len(result.tasks) + result.duplicates == len(jobs), result.rejections
    return len(jobs) / elapsed


def procedural_per_s(jobs: list[Job]) -> float:
    started = time.perf_counter()
    for job in jobs:
        generate_task(job.domain, job.level, job.index)
    return len(jobs) / (time.perf_counter() - started)


def median(f, repeats: int) -> float:
    return statistics.median(f() for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=8, help="tasks per (domain, level)")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="the scripted server's latency per request")
    args = parser.parse_args()
    delay = args.delay_ms / 1000
    jobs = [Job(d, level, i) for d in DOMAINS for level in LEVELS for i in range(args.n)]
    print(f"hybrid, {len(jobs)} tasks ({', '.join(DOMAINS)} x L{'/'.join(map(str, LEVELS))}), 2 requests per task, "
          f"server latency {args.delay_ms:g} ms")
    base = median(lambda: procedural_per_s(jobs), args.repeats)
    print(f"  procedural (no model)        {base:9.1f} tasks/s")
    serial = None
    for concurrency in (1, 4, 8):
        rate = median(lambda: tasks_per_s("hybrid", delayed(gs.hybrid_ok, delay), jobs, concurrency, None),
                      args.repeats)
        serial = serial or rate
        print(f"  hybrid, concurrency {concurrency}        {rate:9.1f} tasks/s   x{rate / serial:.2f} vs concurrency 1"
              f"   ideal {len(jobs) / (2 * len(jobs) * delay / concurrency):.1f}")
    with tempfile.TemporaryDirectory() as cache:
        tasks_per_s("hybrid", delayed(gs.hybrid_ok, delay), jobs, 8, cache)
        rate = median(lambda: tasks_per_s("hybrid", delayed(gs.hybrid_ok, delay), jobs, 8, cache), args.repeats)
        print(f"  hybrid, re-run from cache    {rate:9.1f} tasks/s")
    llm_jobs = [Job("travel", 1, i) for i in range(args.n)]
    print(f"llm, {len(llm_jobs)} travel L1 tasks, no server latency (sandboxed code checks dominate)")
    serial = None
    for concurrency in (1, 4):
        rate = median(lambda: tasks_per_s("llm", gs.llm_ok("l1"), llm_jobs, concurrency, None), args.repeats)
        serial = serial or rate
        print(f"  llm, concurrency {concurrency}           {rate:9.1f} tasks/s   x{rate / serial:.2f}")


if __name__ == "__main__":
    main()

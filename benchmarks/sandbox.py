"""The cost of isolation: per-call and per-episode medians of the kernel-confined `SandboxExecutor` next to the
trusted in-process path and next to the previous design (a pool of long-lived shared workers guarded by an audit
hook only, run from git history), and calls per second with 1, 2 and 4 concurrent episodes.

One realistic tool (seven parameters, schema validation, a dict result) is called with the same arguments on every
path. Per call: the median of `--calls` calls within one episode. Per episode: the median time to build an
executor, make its first call and close it (for the sandbox: fork a confined process, send the task, compile the
tool, kill the process; reaping it and forking the next one happen in the zygote meanwhile), back to back and
after a pause. Throughput: `n` threads, each running episodes of
`--episode-calls` calls on its own executor, against one pool of size `n` (the old design: `n` shared workers and
`2n` threads). Usage: `python benchmarks/sandbox.py [--calls N]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for step_latency's task when run from anywhere

from step_latency import CALLS, make_task  # noqa: E402

from toolgym.execution import SandboxExecutor, TrustedExecutor, WorkerPool  # noqa: E402
from toolgym.execution.sandbox import isolation  # noqa: E402
from toolgym.models.calls import ToolCall  # noqa: E402

WORKER_COUNTS = (1, 2, 4)
PAUSE_S = 0.05  # between episodes, for the "forked ahead" figure: far less than one model turn
OLD_DESIGN_COMMIT = "3f33b4e"  # the last commit with shared audit-hook workers (before issue #9)
REPO = Path(__file__).resolve().parents[1]


def old_design(directory: str) -> ModuleType | None:
    """The previous `toolgym.execution.sandbox`, extracted from git into `directory` (None without git)."""
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", OLD_DESIGN_COMMIT, "toolgym"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_file_location("old_sandbox", Path(directory, "toolgym/execution/sandbox.py"))
    module = sys.modules["old_sandbox"] = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def median_call_us(executor, calls: list[ToolCall], repeats: int) -> float:
    for call in calls:  # warm up: compile, start processes, send sources
        executor.run(call)
    samples = []
    for i in range(repeats):
        call = calls[i % len(calls)]
        start = time.perf_counter()
        result = executor.run(call)
        samples.append(time.perf_counter() - start)
        assert result.ok, result
    executor.close()
    return statistics.median(samples) * 1e6


def median_episode_ms(make_executor, call: ToolCall, repeats: int, pause: float = 0.0) -> float:
    make_executor().close()
    samples = []
    for _ in range(repeats):
        time.sleep(pause)  # not timed: the model's turn, during which the zygote forks the next child
        start = time.perf_counter()
        executor = make_executor()
        result = executor.run(call)
        executor.close()
        samples.append(time.perf_counter() - start)
        assert result.ok, result
    return statistics.median(samples) * 1e3


def calls_per_second(workers: int, calls: list[ToolCall], total: int, episode_calls: int) -> float:
    pool = WorkerPool(workers)
    task = make_task()
    SandboxExecutor(task, pool=pool).run(calls[0])  # start the zygote
    per_thread = total // workers

    def work() -> None:
        executor = SandboxExecutor(task, pool=pool)
        for i in range(per_thread):
            if i % episode_calls == 0:
                executor.close()  # a new episode: a new process
            executor.run(calls[i % len(calls)])
        executor.close()

    rate = _threaded(work, workers, per_thread * workers)
    pool.close()
    return rate


def old_calls_per_second(old: ModuleType, workers: int, calls: list[ToolCall], total: int) -> float:
    pool = old.WorkerPool(workers)
    executor = old.SandboxExecutor(make_task(), pool=pool)
    for _ in range(workers * 2):
        executor.run(calls[0])
    threads = 2 * workers
    per_thread = total // threads

    def work() -> None:
        for i in range(per_thread):
            executor.run(calls[i % len(calls)])

    rate = _threaded(work, threads, per_thread * threads)
    pool.close()
    return rate


def _threaded(work, threads: int, done: int) -> float:
    started = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for t in started:
        t.start()
    for t in started:
        t.join()
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per measurement")
    parser.add_argument("--episodes", type=int, default=100, help="episodes per measurement")
    parser.add_argument("--episode-calls", type=int, default=8, help="calls per episode in the throughput runs")
    args = parser.parse_args()
    calls = [ToolCall("search_hotels", json.dumps(a)) for a in CALLS]
    task = make_task()
    pool = WorkerPool(1)
    rows = [("trusted (in-process)", median_call_us(TrustedExecutor(task), calls, args.calls),
             median_episode_ms(lambda: TrustedExecutor(task), calls[0], args.episodes)),
            ("sandbox (kernel-confined)", median_call_us(SandboxExecutor(task, pool=pool), calls, args.calls),
             median_episode_ms(lambda: SandboxExecutor(task, pool=pool), calls[0], args.episodes))]
    ready_ms = median_episode_ms(lambda: SandboxExecutor(task, pool=pool), calls[0], args.episodes // 2, PAUSE_S)
    pool.close()
    with tempfile.TemporaryDirectory() as directory:
        old = old_design(directory)
        if old is not None:
            old_pool = old.WorkerPool(1)
            rows.insert(1, ("old design (shared workers)",
                            median_call_us(old.SandboxExecutor(task, pool=old_pool), calls, args.calls),
                            median_episode_ms(lambda: old.SandboxExecutor(task, pool=old_pool), calls[0],
                                              args.episodes)))
            old_pool.close()
        print(f"namespaces and user: {', '.join(isolation().features) or 'none'}")
        print(f"{'path':<30}{'median per call':>18}{'median per episode':>21}")
        for name, call_us, episode_ms in rows:
            print(f"{name:<30}{call_us:>15.1f} us{episode_ms:>18.2f} ms")
        print(f"{'sandbox / trusted':<30}{rows[-1][1] / rows[0][1]:>17.1f}x{rows[-1][2] / rows[0][2]:>20.1f}x")
        print(f"sandbox episode after a {PAUSE_S * 1e3:.0f} ms pause (its process forked ahead, waiting): "
              f"{ready_ms:.2f} ms; the figures above are back-to-back episodes")
        print()
        print(f"{'workers':<10}{'calls/s, sandbox':>18}{'calls/s, old design':>22}   (sandbox: "
              f"{args.episode_calls} calls per episode)")
        for workers in WORKER_COUNTS:
            rate = calls_per_second(workers, calls, args.calls, args.episode_calls)
            old_rate = old_calls_per_second(old, workers, calls, args.calls) if old is not None else float("nan")
            print(f"{workers:<10}{rate:>18,.0f}{old_rate:>22,.0f}")


if __name__ == "__main__":
    main()

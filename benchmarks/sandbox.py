"""The cost of isolation: per-call, per-turn and per-episode medians of the kernel-confined `SandboxExecutor` next
to the trusted in-process path, to the kernel sandbox before its start was moved to reset and its turns to one
round trip (`BEFORE_COMMIT`), and to the first design (long-lived shared workers guarded by an audit hook only,
`OLD_DESIGN_COMMIT`), both run from git history in the same process; and calls per second with 1, 2 and 4
concurrent episodes.

One realistic tool (seven parameters, schema validation, a dict result) is called with the same arguments on every
path. Per call: the median of `--calls` calls within one episode. Per turn: a turn of `TURN_CALLS` calls, one
`run` after another and (where offered) as one `run_turn`. Per episode: the median time the trainer waits for
building an executor (the reset), its first call and its close: back to back, and with a pause of `PAUSE_S`
between the reset and the first call (the model writing its turn: the kernel sandbox now gets its process ready
meanwhile). Throughput: `n` threads, each running episodes of `--episode-calls` calls on its own executor, against
one pool of size `n` (the first design: `n` shared workers and `2n` threads). Usage: `python benchmarks/sandbox.py
[--calls N]`.
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
PAUSE_S = 0.05  # the model's turn, far shorter than a real one: between reset and the first call
TURN_CALLS = 4
OLD_DESIGN_COMMIT = "3f33b4e"  # the last commit with shared audit-hook workers (before issue #9)
BEFORE_COMMIT = "d12de82"      # the kernel sandbox with a lazy start and a round trip per call
REPO = Path(__file__).resolve().parents[1]


def from_history(commit: str, directory: str) -> ModuleType | None:
    """`toolgym.execution.sandbox` as of `commit`, extracted from git into `directory` (None without git). Its
    worker process runs that commit's sources; its parent side imports today's helpers."""
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "toolgym"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    name = f"sandbox_{commit}"
    spec = importlib.util.spec_from_file_location(name, Path(directory, "toolgym/execution/sandbox.py"))
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
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


def median_turn_us(executor, calls: list[ToolCall], repeats: int, batched: bool) -> float:
    """Median time of a turn of `calls`: one `run` after another, or one `run_turn`."""
    executor.run(calls[0])
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        results = executor.run_turn(calls) if batched else [executor.run(call) for call in calls]
        samples.append(time.perf_counter() - start)
        assert all(result.ok for result in results), results
    executor.close()
    return statistics.median(samples) * 1e6


def median_episode_ms(make_executor, call: ToolCall, repeats: int, pause: float = 0.0) -> float:
    """Median time the trainer waits in an episode of one call: the reset (building the executor), the call, the
    close; `pause` (not timed) between the reset and the call is the model writing its turn."""
    make_executor().close()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        executor = make_executor()
        waited = time.perf_counter() - start
        time.sleep(pause)
        start = time.perf_counter()
        result = executor.run(call)
        executor.close()
        samples.append(waited + time.perf_counter() - start)
        assert result.ok, result
    return statistics.median(samples) * 1e3


def calls_per_second(module: ModuleType, workers: int, calls: list[ToolCall], total: int,
                     episode_calls: int) -> float:
    pool = module.WorkerPool(workers)
    task = make_task()
    SandboxExecutor = module.SandboxExecutor  # noqa: N806 - this design's class
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


def measure(name: str, module: ModuleType | None, task, calls: list[ToolCall], args) -> dict | None:
    """One row: per call, per turn (one by one; as one run_turn where offered), per episode (back to back;
    with the model's pause)."""
    if module is None:
        return None
    pool = module.WorkerPool(1)
    make = lambda: module.SandboxExecutor(task, pool=pool)  # noqa: E731
    turn = [calls[i % len(calls)] for i in range(TURN_CALLS)]
    row = {"name": name, "call_us": median_call_us(make(), calls, args.calls),
           "turn_us": median_turn_us(make(), turn, args.calls // TURN_CALLS, batched=False),
           "batched_us": (median_turn_us(make(), turn, args.calls // TURN_CALLS, batched=True)
                          if hasattr(module.SandboxExecutor, "run_turn") else float("nan")),
           "episode_ms": median_episode_ms(make, calls[0], args.episodes),
           "paused_ms": median_episode_ms(make, calls[0], args.episodes // 2, PAUSE_S)}
    pool.close()
    return row


def _medians(rows: tuple[dict, ...]) -> dict:
    return {key: rows[0][key] if key == "name" else statistics.median(r[key] for r in rows) for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per measurement")
    parser.add_argument("--episodes", type=int, default=60, help="episodes per measurement")
    parser.add_argument("--episode-calls", type=int, default=8, help="calls per episode in the throughput runs")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each figure is their median")
    args = parser.parse_args()
    calls = [ToolCall("search_hotels", json.dumps(a)) for a in CALLS]
    task = make_task()
    trusted = {"name": "trusted (in-process)", "call_us": median_call_us(TrustedExecutor(task), calls, args.calls),
               "turn_us": float("nan"), "batched_us": float("nan"),
               "episode_ms": median_episode_ms(lambda: TrustedExecutor(task), calls[0], args.episodes),
               "paused_ms": float("nan")}
    with tempfile.TemporaryDirectory() as old_dir, tempfile.TemporaryDirectory() as before_dir:
        old, before = from_history(OLD_DESIGN_COMMIT, old_dir), from_history(BEFORE_COMMIT, before_dir)
        current = sys.modules[SandboxExecutor.__module__]
        designs = [(f"first design ({OLD_DESIGN_COMMIT})", old), (f"kernel, before ({BEFORE_COMMIT})", before),
                   ("kernel, now", current)]
        rounds = [[measure(name, module, task, calls, args) for name, module in designs if module is not None]
                  for _ in range(args.rounds)]  # interleaved, so that a change of the machine's load hits all
        rows = [trusted, *(_medians(same) for same in zip(*rounds))]
        print(f"namespaces and user: {', '.join(isolation().features) or 'none'}")
        print(f"{'path':<28}{'per call':>11}{f'turn of {TURN_CALLS}':>12}{'as 1 trip':>11}{'episode':>10}"
              f"{f'+{PAUSE_S * 1e3:.0f} ms turn':>13}")
        for r in rows:
            print(f"{r['name']:<28}{r['call_us']:>8.1f} us{r['turn_us']:>9.0f} us{r['batched_us']:>8.0f} us"
                  f"{r['episode_ms']:>7.2f} ms{r['paused_ms']:>10.2f} ms")
        now = rows[-1]
        print(f"{'now / trusted':<28}{now['call_us'] / trusted['call_us']:>10.1f}x{'':>23}"
              f"{now['episode_ms'] / trusted['episode_ms']:>9.1f}x")
        if before is not None:
            b = rows[-2]
            print(f"{'now / before':<28}{now['call_us'] / b['call_us']:>10.2f}x{'':>12}"
                  f"{now['batched_us'] / b['turn_us']:>10.2f}x{now['episode_ms'] / b['episode_ms']:>9.2f}x"
                  f"{now['paused_ms'] / b['paused_ms']:>12.2f}x")
        print("episode: reset + first call + close, as the trainer waits for them; '+N ms turn': the same with the "
              "model's turn between reset and call (not counted)")
        print()
        print(f"{'workers':<10}{'calls/s, now':>14}{'before':>10}{'first design':>14}   ({args.episode_calls} calls "
              f"per episode; the first design has no episodes)")
        for workers in WORKER_COUNTS:
            rate = calls_per_second(current, workers, calls, args.calls, args.episode_calls)
            before_rate = (calls_per_second(before, workers, calls, args.calls, args.episode_calls)
                           if before is not None else float("nan"))
            old_rate = old_calls_per_second(old, workers, calls, args.calls) if old is not None else float("nan")
            print(f"{workers:<10}{rate:>14,.0f}{before_rate:>10,.0f}{old_rate:>14,.0f}")


if __name__ == "__main__":
    main()

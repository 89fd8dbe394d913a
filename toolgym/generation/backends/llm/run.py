"""Running an LLM-driven backend over many tasks: bounded concurrency, a rejection count per reason, near-duplicate
removal, and the run's manifest.

Each task (domain, level, index) runs the five stages (`toolgym.generation.stages`, the same checks as the
procedural pipeline) up to `max_attempts` times; each rejected attempt counts its reason. A task whose requests
the server keeps failing (`ServerFailed`) is not retried; `MAX_CONSECUTIVE_SERVER_FAILURES` of them in a row,
an unreachable server (`LLMUnavailable`), a broken sandbox or Ctrl-C stop the run: the tasks made so far are kept
and the manifest says why it stopped. Requests are cached on disk by the client, so re-running the same command
redoes no finished work.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from toolgym.generation.backend import Backend
from toolgym.generation.backends.llm.client import LLMClient
from toolgym.generation.backends.llm.dedup import DEFAULT_THRESHOLD, near_duplicates
from toolgym.errors import ToolgymError
from toolgym.generation.backends.llm.errors import ServerFailed, rejection_reason
from toolgym.generation.backends.llm.prompts import prompt_versions
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import GenerationRequest
from toolgym.generation.stages import decompose, deploy, document, integrate, scale
from toolgym.generation.stages.errors import GenerationRejected
from toolgym.generation.version import GENERATOR_VERSION
from toolgym.models.task import Task

DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_ATTEMPTS = 3               # an LLM attempt costs requests: few, unlike the procedural pipeline's 32
MAX_CONSECUTIVE_SERVER_FAILURES = 3    # tasks in a row the server failed: it is down in all but name


@dataclass(frozen=True)
class Job:
    domain: str
    level: int
    index: int


@dataclass
class Outcome:
    job: Job
    task: Task | None = None
    reasons: list[str] = field(default_factory=list)
    server_failed: bool = False


@dataclass
class RunResult:
    tasks: list[Task]
    rejections: Counter[str]
    requested: int
    dropped: int            # tasks with no kept attempt
    duplicates: int
    stopped: str | None     # why the run stopped early, if it did
    elapsed_s: float

    def manifest(self, backend: Backend, client: LLMClient, config: dict[str, Any]) -> dict[str, Any]:
        """What the run used and made: model, prompt versions, counts, rejection reasons, token usage and, for
        the hybrid, how many texts the model rewrote and how many kept their procedural wording."""
        rewrites = getattr(backend, "rewrites", None)
        extra = {} if rewrites is None else {"rewrites": dict(sorted(rewrites.items()))}
        return {"backend": backend.name, "model": client.model, "base_url": client.base_url,
                "generator_version": GENERATOR_VERSION, "prompt_versions": prompt_versions(), "config": config,
                "counts": {"requested": self.requested, "kept": len(self.tasks), "dropped": self.dropped,
                           "duplicates": self.duplicates, "rejected_attempts": sum(self.rejections.values())},
                "rejections": dict(sorted(self.rejections.items())), "usage": client.usage.as_dict(),
                "structured_output": client.structured,
                **extra, "stopped": self.stopped, "elapsed_s": round(self.elapsed_s, 1)}


def attempt_task(backend: Backend, ctx: GenerationContext) -> Task:
    """One attempt through the five stages; a malformed stage model is a rejection, not a crash."""
    try:
        scenario = decompose(GenerationRequest(domain=ctx.domain, level=ctx.level), ctx, backend)
        return deploy(scale(integrate(document(scenario, ctx, backend), ctx, backend), ctx, backend), ctx, backend)
    except ValidationError as e:
        raise GenerationRejected(f"a stage output is invalid: {e.errors()[0]['msg']}") from e


def generate_one(backend: Backend, job: Job, *, seed: int, split: str, max_attempts: int) -> Outcome:
    """Up to `max_attempts` attempts at one task, each rejection's reason recorded."""
    ctx = GenerationContext(domain=job.domain, level=job.level, split=split, seed=seed, index=job.index)
    outcome = Outcome(job)
    for _ in range(max_attempts):
        try:
            outcome.task = attempt_task(backend, ctx)
            return outcome
        except ServerFailed as e:  # another attempt would hit the same server
            outcome.reasons.append(e.reason)
            outcome.server_failed = True
            return outcome
        except GenerationRejected as e:
            outcome.reasons.append(rejection_reason(e))
            ctx = ctx.retry()
    return outcome


def run_jobs(backend: Backend, jobs: list[Job], *, seed: int = 0, split: str = "train",
             concurrency: int = DEFAULT_CONCURRENCY, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
             dedup_threshold: float = DEFAULT_THRESHOLD, advance: Callable[[str], None] | None = None) -> RunResult:
    """Every job, `concurrency` at a time; kept tasks in job order, near-duplicate questions removed."""
    if concurrency < 1 or max_attempts < 1:
        raise ValueError(f"concurrency and max_attempts must be >= 1, got {concurrency} and {max_attempts}")
    if not 0 < dedup_threshold <= 1:  # checked before any request, not after the run
        raise ValueError(f"the dedup threshold must be in (0, 1], got {dedup_threshold}")
    started, stop = time.monotonic(), threading.Event()
    stopped: list[str] = []
    rejections: Counter[str] = Counter()
    kept: dict[Job, Task] = {}
    consecutive = 0

    def work(job: Job) -> Outcome | None:
        if stop.is_set():
            return None
        return generate_one(backend, job, seed=seed, split=split, max_attempts=max_attempts)

    pool = ThreadPoolExecutor(max_workers=concurrency)
    try:
        futures = [pool.submit(work, job) for job in jobs]
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except ToolgymError as e:  # LLMUnavailable, a broken sandbox: no later task could do better
                stop.set()
                stopped.append(str(e))
                continue
            if outcome is None:
                continue
            rejections.update(outcome.reasons)
            consecutive = consecutive + 1 if outcome.server_failed else 0
            if consecutive >= MAX_CONSECUTIVE_SERVER_FAILURES and not stop.is_set():
                stop.set()
                stopped.append(f"the server failed {consecutive} tasks in a row (last: {outcome.reasons[-1]})")
            if outcome.task is not None:
                kept[outcome.job] = outcome.task
            if advance is not None:
                advance(f"{outcome.job.domain}-L{outcome.job.level}")
    except KeyboardInterrupt:  # keep what was made; requests in flight finish (and are cached) first
        stop.set()
        stopped.append("interrupted")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    ordered = [kept[job] for job in jobs if job in kept]
    duplicates = near_duplicates([(t.domain, t.question) for t in ordered], dedup_threshold)
    rejections["duplicate_question"] += len(duplicates)
    tasks = [t for i, t in enumerate(ordered) if i not in duplicates]
    return RunResult(tasks=tasks, rejections=+rejections, requested=len(jobs), dropped=len(jobs) - len(kept),
                     duplicates=len(duplicates), stopped=stopped[0] if stopped else None,
                     elapsed_s=time.monotonic() - started)

"""An evaluation run: episodes of some sources with one policy, written to an output directory and reported.

The directory holds `config.json` (what was asked; never the API key), `trajectories.jsonl` (one line per
finished episode, appended as episodes finish), `summary.json` and `summary.md` (rewritten at the end from the
whole file). Re-running with the same directory and configuration plays only the episodes not yet in the file;
a different configuration is refused, so one directory never mixes two runs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

import gymnasium as gym

from toolgym.errors import ToolgymError
from toolgym.rollout.messages import resolve_parser
from toolgym.rollout.policy import Policy, RunAborted
from toolgym.rollout.report import markdown, summarize
from toolgym.rollout.runner import EpisodeSpec, Runner, Trajectory, episodes, make_env
from toolgym.rollout.store import TrajectoryFile, claim_run_dir

TRAJECTORIES, SUMMARY_JSON, SUMMARY_MD = "trajectories.jsonl", "summary.json", "summary.md"
RESUME_FREE = ("concurrency",)  # settings a resumed run may change: they do not alter any episode


@dataclass(frozen=True)
class EvalConfig:
    """What defines an evaluation run (written to `config.json`; resume requires the same)."""

    sources: tuple[str, ...]
    model: str
    n: int = 20
    k: int = 1
    split: str = "test"
    reward: str = "default"
    parser: str = "hermes"
    max_turns: int = 20
    temperature: float = 0.0
    max_tokens: int | None = None
    tools_in_prompt: str = "auto"
    backend: str = "openai"
    concurrency: int = 8

    def as_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))

    def env_factory(self) -> Callable[[str], gym.Env]:
        parser = resolve_parser(self.parser)
        return lambda source: make_env(source, split=self.split, reward=self.reward, parser=parser,
                                       max_turns=self.max_turns)


@dataclass
class EvalResult:
    summary: dict[str, Any]
    played: int          # episodes played by this call
    skipped: int         # episodes already in the file
    aborted: str | None  # why the run stopped early, if it did


def plan(config: EvalConfig) -> list[EpisodeSpec]:
    """The run's episodes; a source with fewer than `n` tasks (a test set, a file) is an error naming its size."""
    factory = config.env_factory()
    for source in config.sources:
        env = factory(source)
        size = env.unwrapped.num_tasks
        env.close()
        if size is not None and size < config.n:
            hint = " (or --split train: the generated stream is unbounded)" if config.split == "test" else ""
            raise ToolgymError(f"{source} has {size} tasks, fewer than --n {config.n}: use --n {size}{hint}")
    return episodes(config.sources, config.n, config.k)


def evaluate(config: EvalConfig, policy: Policy | None, out: str | Path, *, progress: TextIO | None = sys.stderr,
             runner: EpisodeRunner | None = None) -> EvalResult:
    """Play the run's unfinished episodes into `out`, then write the summary of all of them.

    `runner`: what plays the episodes (default: the in-process `Runner` over `policy`; `RayRunner` spreads them
    over a Ray cluster). The output is the same either way.
    """
    out = Path(out)
    claim_run_dir(out, config.as_json(), RESUME_FREE)
    specs = plan(config)
    with TrajectoryFile(out / TRAJECTORIES) as store:
        todo = [s for s in specs if s.key not in store.finished]
        bar = ProgressBar(len(specs), len(specs) - len(todo), progress)
        aborted = None
        try:
            if runner is None:
                if policy is None:
                    raise ToolgymError("evaluate needs a policy or a runner")
                runner = Runner(policy, config.env_factory(), concurrency=config.concurrency)
            asyncio.run(_play(runner, policy, todo, lambda t: (store.write(t), bar.advance())))
        except RunAborted as e:
            aborted = str(e)
        finally:
            bar.close()
        wanted = {s.key for s in specs}
        finished = [t for key, t in store.finished.items() if key in wanted]
    summary = write_summary(out, finished, config)
    return EvalResult(summary, len(finished) - (len(specs) - len(todo)), len(specs) - len(todo), aborted)


class EpisodeRunner(Protocol):
    """Plays episodes and hands each finished trajectory to `on_done` (`Runner`, `RayRunner`)."""

    async def run(self, specs: Iterable[EpisodeSpec], on_done: Callable[[Trajectory], None] | None = None
                  ) -> list[Trajectory]: ...


async def _play(runner: EpisodeRunner, policy: Policy | None, todo: list[EpisodeSpec],
                on_done: Callable[[Trajectory], Any]) -> None:
    try:
        await runner.run(todo, on_done)
    finally:
        close = getattr(policy, "aclose", None)
        if close is not None:
            await close()


def write_summary(out: Path, trajectories: Sequence[Trajectory], config: EvalConfig) -> dict[str, Any]:
    shown = {k: v for k, v in config.as_json().items() if k not in RESUME_FREE}
    summary = summarize(trajectories, k=config.k, config=shown)
    (out / SUMMARY_JSON).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    (out / SUMMARY_MD).write_text(markdown(summary))
    return summary


class ProgressBar:
    """`[#####     ] 12/40 0.8 ep/s` on one line of `stream` (none: silent)."""

    WIDTH = 30

    def __init__(self, total: int, done: int, stream: TextIO | None) -> None:
        self.total, self.done, self.stream = total, done, stream
        self.started, self.start_done = time.monotonic(), done
        self._draw()

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        if self.stream is None:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        rate = (self.done - self.start_done) / max(time.monotonic() - self.started, 1e-9)
        self.stream.write(f"\r[{'#' * filled:<{self.WIDTH}}] {self.done}/{self.total} {rate:.2f} episodes/s")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

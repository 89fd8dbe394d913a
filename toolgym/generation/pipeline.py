"""Running the five stages: one task per (domain, level, split, seed, index), and streams of them.

    >>> from toolgym.generation.pipeline import TaskStream, generate_task
    >>> task = generate_task("travel", 1, 0)
    >>> task == generate_task("travel", 1, 0), task.level, task.scenario.value
    (True, 1, 'single_hop')
    >>> TaskStream("travel", 1)[0] == task
    True

Item i never depends on item j: each attempt's randomness comes from a stable hash of its inputs (see
`context.py`). An attempt that breaks an invariant (answer leak, failing replay) is retried with the next
`attempt` number, so the stream moves on deterministically and never keeps a bad task. `replay=True` replays
every task's gold plan; by default a backend that is correct by construction (the procedural one) is replayed on
an audited sample (see `stages/deploy.py`), which gives the same tasks: a replay never rejected one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from toolgym.generation.backend import Backend
from toolgym.generation.backends.procedural import ProceduralBackend
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import get_domain
from toolgym.generation.levels import level_config
from toolgym.generation.models import Documents, GenerationRequest, Scenario, ScaledToolset, Toolset
from toolgym.generation.stages import decompose, deploy, document, integrate, scale
from toolgym.generation.stages.errors import GenerationError, GenerationRejected
from toolgym.models.task import Task

MAX_ATTEMPTS = 32      # a rejection is rare (a leak by coincidence); dozens in a row means a bug
STREAM_CACHE_SIZE = 8  # envs re-read the current and recent tasks; older ones are cheap to regenerate
SPLITS = ("train", "test")

_DEFAULT_BACKEND = ProceduralBackend()


class GenerationTrace(BaseModel):
    """Every stage's output for one task (what `toolgym generate --trace` shows)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    context: GenerationContext = Field(description="The accepted attempt.")
    rejected: tuple[str, ...] = Field(default=(), description="Why earlier attempts were rejected.")
    scenario: Scenario = Field(description="Stage 1: decomposition.")
    documents: Documents = Field(description="Stage 2: one document per sub-question.")
    toolset: Toolset = Field(description="Stage 3: merged tools.")
    scaled: ScaledToolset = Field(description="Stage 4: scaled toolset.")
    task: Task = Field(description="Stage 5: the deployed task.")


def _run_stages(ctx: GenerationContext, backend: Backend, replay: bool
                ) -> tuple[Scenario, Documents, Toolset, ScaledToolset, Task]:
    scenario = decompose(GenerationRequest(domain=ctx.domain, level=ctx.level), ctx, backend)
    documents = document(scenario, ctx, backend)
    toolset = integrate(documents, ctx, backend)
    scaled = scale(toolset, ctx, backend)
    return scenario, documents, toolset, scaled, deploy(scaled, ctx, backend, replay=replay)


def _check_inputs(domain: str, level: int, index: int, split: str) -> None:
    get_domain(domain)
    level_config(level)
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")


def _generate(domain: str, level: int, index: int, seed: int, split: str, backend: Backend | None,
              replay: bool = False
              ) -> tuple[GenerationContext, list[str], tuple[Scenario, Documents, Toolset, ScaledToolset, Task]]:
    """The accepted attempt's context, the reasons earlier attempts were rejected, and the stage outputs."""
    _check_inputs(domain, level, index, split)
    ctx = GenerationContext(domain=domain, level=level, split=split, seed=seed, index=index)
    rejected: list[str] = []
    for _ in range(MAX_ATTEMPTS):
        try:
            return ctx, rejected, _run_stages(ctx, backend or _DEFAULT_BACKEND, replay)
        except GenerationRejected as e:
            rejected.append(str(e))
            ctx = ctx.retry()
    raise GenerationError(f"no valid {domain} L{level} task for seed={seed} index={index} after {MAX_ATTEMPTS} "
                          f"attempts; last reasons: {rejected[-3:]}")


def trace_task(domain: str, level: int, index: int, *, seed: int = 0, split: str = "train",
               backend: Backend | None = None, replay: bool = False) -> GenerationTrace:
    """Generate one task and return every stage's output; raises `GenerationError` after MAX_ATTEMPTS."""
    ctx, rejected, (scenario, documents, toolset, scaled, task) = _generate(domain, level, index, seed, split,
                                                                            backend, replay)
    task.content_hash  # noqa: B018 - computed now: the trace is dumped whole, past Task.model_dump
    # the parts were validated by their stages; validating them again would recompute the task's hash
    return GenerationTrace.model_construct(context=ctx, rejected=tuple(rejected), scenario=scenario,
                                           documents=documents, toolset=toolset, scaled=scaled, task=task)


def generate_task(domain: str, level: int, index: int, *, seed: int = 0, split: str = "train",
                  backend: Backend | None = None, replay: bool = False) -> Task:
    """Task `index` of the (domain, level, split, seed) stream: a pure function of its arguments. `replay=True`
    replays its gold plan even where the backend is audited on a sample only (the same task either way)."""
    return _generate(domain, level, index, seed, split, backend, replay)[2][-1]


def generate_tasks(domain: str, level: int, n: int, *, seed: int = 0, split: str = "train",
                   backend: Backend | None = None, replay: bool = False) -> list[Task]:
    """Tasks 0..n-1 of the stream."""
    return [generate_task(domain, level, i, seed=seed, split=split, backend=backend, replay=replay)
            for i in range(n)]


class TaskStream:
    """An infinite, deterministic, indexable source of tasks: `stream[i]` is `generate_task(..., i)`.

    It has no length (it never ends); the last few items are cached, so re-reading the current task is free.
    """

    trusted = True  # its tools' code is toolgym's own: `ToolEnv` runs it in-process (see ToolEnv's trust_code)

    def __init__(self, domain: str, level: int, *, seed: int = 0, split: str = "train",
                 backend: Backend | None = None) -> None:
        _check_inputs(domain, level, 0, split)
        self.domain, self.level, self.seed, self.split = domain, level, seed, split
        self.backend = backend
        self._cache: OrderedDict[int, Task] = OrderedDict()

    def __getitem__(self, index: int) -> Task:
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"TaskStream indices are integers, got {type(index).__name__}")
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        task = generate_task(self.domain, self.level, index, seed=self.seed, split=self.split,
                             backend=self.backend)
        self._cache[index] = task
        if len(self._cache) > STREAM_CACHE_SIZE:
            self._cache.popitem(last=False)
        return task

    def __iter__(self) -> Iterator[Task]:
        """Tasks 0, 1, 2, ... forever."""
        index = 0
        while True:
            yield self[index]
            index += 1

    def __repr__(self) -> str:
        return (f"TaskStream(domain={self.domain!r}, level={self.level}, seed={self.seed}, "
                f"split={self.split!r})")

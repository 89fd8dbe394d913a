"""The executor interface: how a tool call becomes a tool message.

An executor is built for one episode of one task (`ExecutorFactory(task)`; `ToolEnv` builds a new one at every
`reset` and closes the old one) and runs that task's tools. Nothing a tool does may outlive its executor: the next
episode starts from fresh tool state, whatever the last one's code did. Whatever goes wrong inside
a call comes back as a `ToolResult` with `error` set, never as an exception: errors are feedback for the model.
Exceptions are reserved for faults of the executor itself (a broken worker pool, say). Two implementations:
`TrustedExecutor` (in-process, for code toolgym generated) and an isolated one for untrusted code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from toolgym.models.calls import ToolCall, ToolResult
from toolgym.models.task import Task

DEFAULT_TIMEOUT_S = 10.0  # the reference's per-call limit


@runtime_checkable
class Executor(Protocol):
    """Runs the tools of one task for one episode."""

    def run(self, call: ToolCall) -> ToolResult:
        """Validate the call's arguments, run the tool, render its return value; never raises for a bad call."""
        ...

    def close(self) -> None:
        """Release what the executor holds (worker processes, threads). Idempotent."""
        ...


ExecutorFactory = Callable[[Task], Executor]


def run_turn(executor: Executor, calls: Sequence[ToolCall]) -> list[ToolResult]:
    """The results of a turn's calls, run in order: in one round trip where the executor offers that
    (`SandboxExecutor.run_turn`), else one `run` after another."""
    batched = getattr(executor, "run_turn", None)
    return batched(calls) if batched is not None else [executor.run(call) for call in calls]

"""Executing tool calls: arguments in, a tool message out, and never an exception for a bad call.

An `Executor` is built per task (`ExecutorFactory`) and turns a `ToolCall` into a `ToolResult`. Arguments are
validated against the tool's JSON Schema by a validator compiled once per tool (`compile_validator`: closures for
the common subset, exact to `jsonschema` Draft 2020-12, and `jsonschema` itself for the rest). Return values are
rendered as the FTRL reference does (`render`), and every failure becomes the reference's error text
(`error_message`) with a short kind in `ToolResult.error`. `TrustedExecutor` runs code toolgym generated itself,
in-process, compiled once per task and under a cheap per-call time limit; `SandboxExecutor` runs untrusted code
in a process per episode that the kernel confines (Landlock, seccomp; forked by a `WorkerPool`'s zygote), with
the same two-method protocol. Both take `ftrl=True` to admit calls the FTRL reference's way, without a
schema check (`ftrl.py`), for `reward="ftrl"`.
"""

from toolgym.execution.base import DEFAULT_TIMEOUT_S, Executor, ExecutorFactory
from toolgym.execution.render import error_message, render
from toolgym.execution.sandbox import SandboxExecutor, WorkerPool, shared_pool
from toolgym.execution.trusted import TrustedExecutor
from toolgym.execution.validation import ArgumentValidator, compile_validator

__all__ = ["DEFAULT_TIMEOUT_S", "ArgumentValidator", "Executor", "ExecutorFactory", "SandboxExecutor",
           "TrustedExecutor", "WorkerPool", "compile_validator", "error_message", "render", "shared_pool"]

"""In-process execution of tool code that toolgym generated itself (trusted code).

Each tool's source is executed once per task, at the tool's first call, in a fresh module (`types.ModuleType`), so
module-level imports, constants and helpers work; compiled tasks are cached by `Task.content_hash`, so resets over
the same task compile nothing, and code objects by source (see `_module_code`), so code shared by many tasks
compiles once. A call goes: look up the tool, decode the JSON arguments (unless the parser kept them decoded),
validate them against the tool's schema (`tool_validator`), call the function under a time limit, render the
return value. Every failure comes back as a `ToolResult` with `error` set; nothing a model writes can make `run`
raise.

The time limit costs almost nothing on the main thread: a one-shot `SIGALRM` timer (`setitimer`) interrupts the
tool. Elsewhere (a thread of a vector env, say) the call runs on one reusable daemon worker thread per executor and
the caller waits with a timeout. Neither can stop a loop inside C code, and a thread cannot be killed: a runaway
tool on the worker path is abandoned and keeps a CPU busy until it ends. That is acceptable for trusted code only;
untrusted code belongs in the isolated executor.

Because compiled modules are shared by every executor of the same task, tool code must not keep state in module
globals between calls (generated tools are pure functions of their arguments).
"""

from __future__ import annotations

import functools
import signal
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from toolgym.execution.arguments import admitted_arguments, unknown_tool
from toolgym.execution.base import DEFAULT_TIMEOUT_S
from toolgym.execution.render import describe_exception, error_message, render
from toolgym.execution.validation import ArgumentValidator, tool_validator
from toolgym.models.calls import ToolCall, ToolResult
from toolgym.models.task import Task, ToolSpec

CACHE_SIZE = 256            # compiled tasks kept; a training set cycles through far fewer per worker
CODE_CACHE_SIZE = 2048      # code objects kept by (tool name, source piece): shared pieces compile once
MIN_REARM_S = 1e-6          # re-arms an outer timer that expired during a call, so it fires at once
_HAS_ALARM = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")  # not on Windows


class _CallTimeout(BaseException):
    """Raised into a tool by the SIGALRM handler. A BaseException, so a tool's `except Exception` can't swallow it."""


class _AlarmUnavailable(Exception):
    """SIGALRM cannot be used in this thread or interpreter."""


class _AlarmHandler:
    """toolgym's SIGALRM handler, installed once and left in place (swapping handlers per call costs ~6 µs).

    Outside a tool call it hands the signal to the handler that was installed before it, so a program's own
    SIGALRM use keeps working; if someone installs another handler later, the next call re-installs this one on
    top of it.
    """

    def __init__(self) -> None:
        self.active = False
        self.chained: Any = signal.SIG_DFL

    def install(self) -> None:
        if _raw_getsignal(signal.SIGALRM) is self:  # every call: skip `signal.getsignal`'s enum conversion (~2 µs)
            return
        current = signal.getsignal(signal.SIGALRM)
        try:
            signal.signal(signal.SIGALRM, self)
        except ValueError as e:  # not the main thread of the main interpreter
            raise _AlarmUnavailable from e
        self.chained = signal.SIG_DFL if current is None else current  # None: installed from C, not restorable

    def __call__(self, signum: int, frame: types.FrameType | None) -> None:
        if self.active:
            raise _CallTimeout
        if callable(self.chained):
            self.chained(signum, frame)
        elif self.chained == signal.SIG_DFL:  # SIGALRM's default action ends the process: keep that meaning
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGALRM)


_ALARM = _AlarmHandler()

try:
    from _signal import getsignal as _raw_getsignal  # CPython's C function, which `signal.getsignal` wraps
except ImportError:  # another interpreter
    _raw_getsignal = signal.getsignal


# --- compiling a task ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CompiledTool:
    """One tool ready to call: its function and validator, or `problem` saying why it cannot be called."""

    name: str
    module: types.ModuleType | None
    function: Callable[..., Any] | None
    validator: ArgumentValidator | None
    problem: str | None = None


_CUT = "\ndef "  # where `_module_code` cuts a source


@functools.lru_cache(maxsize=CODE_CACHE_SIZE)
def _code(name: str, source: str) -> types.CodeType:
    """The code object of a piece of a tool's source, shared by every task shipping the same piece under the same
    tool name (a code object is immutable; each task runs it in a module of its own). The filename names the tool,
    never a host path."""
    return compile(source, f"<tool {name}>", "exec")


def _module_code(name: str, source: str) -> list[types.CodeType]:
    """Code objects that, run in order in one namespace, do what `source` run as a module does.

    Compiling costs ~10 µs a line, and a tool's function is usually the same in many tasks while its data (the
    lines above it) are not. So the source is cut before every `def` at the start of a line and each piece compiled
    (and cached) apart, with blank lines in front so that line numbers stay those of the whole source. A cut inside
    a string, a bracket, a decorated or an unfinished statement leaves a piece that does not compile; then, and for
    sources with `__future__` imports (which act on the whole module), the source is compiled whole.
    """
    pieces = source.split(_CUT)
    if len(pieces) == 1 or "__future__" in source:
        return [_code(name, source)]
    codes, line = [], 0
    try:
        for i, piece in enumerate(pieces):
            text = piece if i == 0 else "\n" * line + _CUT.lstrip("\n") + piece
            codes.append(_code(name, text))
            line += piece.count("\n") + 1
    except SyntaxError:
        return [_code(name, source)]
    return codes


def _load_module(name: str, source: str) -> types.ModuleType:
    """Execute `source` as the body of a fresh module."""
    module = types.ModuleType(f"toolgym_tool_{name}")
    namespace = module.__dict__
    for code in _module_code(name, source):
        exec(code, namespace)  # trusted code only: see the module docstring
    return module


def compile_tool(spec: ToolSpec, source: str) -> CompiledTool:
    """Compile one tool; a broken source or schema yields a tool whose `problem` is reported at call time."""
    name = spec.name
    try:
        validator = tool_validator(spec)
    except Exception as e:  # a schema jsonschema cannot even load: the tool is unusable, the task still loads
        return CompiledTool(name, None, None, None, f"tool schema cannot be used: {describe_exception(e)}")
    try:
        module = _load_module(name, source)
    except SyntaxError as e:
        return CompiledTool(name, None, None, validator, f"tool code does not compile: {e.msg} (line {e.lineno})")
    except Exception as e:  # a failing import or top-level statement in generated code
        return CompiledTool(name, None, None, validator, f"tool code failed to load: {describe_exception(e)}")
    function = getattr(module, name, None)
    if not callable(function):
        return CompiledTool(name, module, None, validator, f"tool code does not define a function named {name!r}")
    return CompiledTool(name, module, function, validator)


class CompiledTask(Mapping[str, CompiledTool]):
    """The tools of one task by name, each compiled on its first lookup: an episode (or a gold replay) calls a few
    of a task's tools, and compiling a tool costs far more than calling it. Safe to share between threads: a
    racing thread's tool wins, so each tool gets one module."""

    __slots__ = ("_sources", "_tools", "_lock")

    def __init__(self, task: Task) -> None:
        self._sources = {spec.name: (spec, task.code[spec.name]) for spec in task.tools}
        self._tools: dict[str, CompiledTool] = {}
        self._lock = threading.Lock()

    def get(self, name: str, default: Any = None) -> Any:  # the hot path of `run`: no KeyError round trip
        tool = self._tools.get(name)
        if tool is not None:
            return tool
        return self[name] if name in self._sources else default

    def __getitem__(self, name: str) -> CompiledTool:
        tool = self._tools.get(name)
        if tool is None:
            compiled = compile_tool(*self._sources[name])  # outside the lock: module code may be slow to run
            with self._lock:
                tool = self._tools.setdefault(name, compiled)
        return tool

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


class _TaskCache:
    """A bounded LRU of compiled tasks keyed by content hash, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, CompiledTask] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, task: Task) -> CompiledTask:
        key = task.content_hash
        if not key:  # a record built without validation has no hash: nothing safe to key on
            return CompiledTask(task)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        compiled = CompiledTask(task)
        with self._lock:
            compiled = self._items.setdefault(key, compiled)  # a racing thread's result wins: one module per hash
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _TaskCache(CACHE_SIZE)


def compiled_tools(task: Task) -> Mapping[str, CompiledTool]:
    """The compiled tools of `task` (cached: the same content hash gives the same objects)."""
    return _CACHE.get(task)


# --- the worker thread used off the main thread -------------------------------------------------------------------

class _Worker:
    """One daemon thread running jobs in order. Daemon, unlike a ThreadPoolExecutor's threads, which are joined at
    interpreter exit: an abandoned runaway tool must not hang the process on exit."""

    def __init__(self) -> None:
        self._jobs: SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="toolgym-trusted-tool", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((future, job))
        return future

    def stop(self) -> None:
        """Let the thread end once its current job (if any) returns."""
        self._jobs.put(None)

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            future, job = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as e:  # whatever happens, the waiting caller must be woken
                future.set_exception(e)


# --- the executor ---------------------------------------------------------------------------------------------------

def _on_main_thread() -> bool:
    return _HAS_ALARM and threading.current_thread() is threading.main_thread()


class TrustedExecutor:
    """Runs the tools of one task in this process, each call under a time limit (`timeout` seconds, None: none).

    >>> from toolgym.models.task import Task
    >>> task = Task(id="t", question="q", messages=[{"role": "user", "content": "q"}], answer="5",
    ...             tools=[{"function": {"name": "add", "parameters": {"type": "object",
    ...                     "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}}}],
    ...             code={"add": "def add(a, b):\\n    return a + b"}, expected={"add": ["5"]}, scenario="single_hop")
    >>> ex = TrustedExecutor(task)
    >>> ex.run(ToolCall("add", '{"a": 2, "b": 3}'))
    ToolResult(content='5', error=None)
    >>> ex.run(ToolCall("add", '{"a": "2", "b": 3}')).content
    'an error occured when call add: "a": \\'2\\' is not of type \\'integer\\''
    >>> ex.close()
    """

    def __init__(self, task: Task, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> None:
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
        self.task = task
        self.timeout = timeout
        self._tools: Mapping[str, CompiledTool] | None = compiled_tools(task)
        self._worker: _Worker | None = None

    # -- the protocol --

    def run(self, call: ToolCall) -> ToolResult:
        """Validate the call's arguments, run the tool, render its return value; never raises for a bad call."""
        name = call.name
        tool = self._compiled().get(name)
        if tool is None:
            return unknown_tool(name, self._compiled())
        args = admitted_arguments(call, tool.validator)
        if isinstance(args, ToolResult):
            return args
        if tool.function is None:
            return ToolResult(error_message(name, str(tool.problem)), "exception")
        return self._call(name, tool.function, args)

    def close(self) -> None:
        """Stop the worker thread, if one was started. Idempotent; the executor stays usable."""
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def module(self, name: str) -> types.ModuleType | None:
        """The module tool `name`'s source ran in (shared by executors of the same task: treat it as read-only)."""
        tool = self._compiled().get(name)
        return None if tool is None else tool.module

    # -- pickling: keep what defines the executor, rebuild the rest lazily --

    def __getstate__(self) -> dict[str, Any]:
        return {"task": self.task, "timeout": self.timeout}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.task, self.timeout = state["task"], state["timeout"]
        self._tools, self._worker = None, None

    def __repr__(self) -> str:
        return f"TrustedExecutor(task={self.task.id!r}, timeout={self.timeout!r})"

    # -- internals --

    def _compiled(self) -> Mapping[str, CompiledTool]:
        if self._tools is None:
            self._tools = compiled_tools(self.task)
        return self._tools

    def _timed_out(self, name: str) -> ToolResult:
        return ToolResult(error_message(name, f"the call timed out after {self.timeout:g} s"), "timeout")

    def _call(self, name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
        if self.timeout is None:
            return _invoke(name, function, args)
        if _on_main_thread():
            try:
                return self._call_with_alarm(name, function, args)
            except _AlarmUnavailable:  # e.g. the main thread of a subinterpreter
                pass
        return self._call_on_worker(name, function, args)

    def _call_with_alarm(self, name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
        """Run the call under a one-shot SIGALRM timer, then resume whatever timer was running before."""
        _ALARM.install()
        previous_delay = previous_interval = 0.0
        started = time.monotonic()
        _ALARM.active = True
        try:
            try:
                previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, self.timeout)
                return _invoke(name, function, args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                _ALARM.active = False
        except _CallTimeout:  # also when the alarm lands just after the tool returned: the limit was reached
            return self._timed_out(name)
        finally:
            if previous_delay:  # someone else's timer was running: resume it, minus the time this call took
                remaining = max(previous_delay - (time.monotonic() - started), MIN_REARM_S)
                signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)

    def _call_on_worker(self, name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
        """Run the call on the worker thread; on timeout abandon that thread (it cannot be killed) for a new one."""
        if self._worker is None:
            self._worker = _Worker()
        future = self._worker.submit(lambda: _invoke(name, function, args))
        try:
            return future.result(self.timeout)
        except FutureTimeout:
            self._worker.stop()
            self._worker = None
            return self._timed_out(name)


def _invoke(name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
    """Call the tool and render what it returns; the one place a tool's exception becomes feedback."""
    try:
        value = function(**args)
    except (Exception, SystemExit) as e:  # SystemExit too: a tool calling exit() must not end the episode
        return ToolResult(error_message(name, describe_exception(e)), "exception")
    return ToolResult(render(value))

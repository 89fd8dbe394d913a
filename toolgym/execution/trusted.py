"""In-process execution of tool code that toolgym generated itself (trusted code).

Tool state is fresh per episode: every executor (one per episode, see `base`) runs each tool's source in a module
of its own (`types.ModuleType`) at the tool's first call, so module-level imports, constants and helpers work and
whatever a call leaves in the module's globals (a counter, a cache) dies with the executor. What is immutable is
shared: code objects and validators are prepared once per task and cached by `Task.content_hash` (`prepared_tools`;
by identity for a generated task whose hash is not computed yet),
and code objects by source (see `_module_code`), so code shared by many tasks compiles once; a new episode only
re-runs the module's top level (a few µs, see benchmarks/step_latency.py). A call goes: look up the tool, decode the
JSON arguments (unless the parser kept them decoded), validate them against the tool's schema (`tool_validator`),
call the function under a time limit, render the return value. Every failure comes back as a `ToolResult` with
`error` set; nothing a model writes can make `run` raise. With `ftrl=True` the call is admitted, rendered and
worded the reference's way instead (`toolgym.execution.ftrl`).

The time limit costs almost nothing on the main thread: no system call per call. The call records its deadline
(`time.monotonic`, read without a system call) for one watchdog thread per process, which sleeps until the
deadline of the call in progress and, if that call is still running then, sends the main thread a `SIGALRM`
(`signal.pthread_kill`: a real signal, so a tool blocked in `time.sleep` is woken too) whose handler raises into
the tool. Another program's SIGALRM arriving during a call is held until the call ends, as its timer was paused
before. Elsewhere (a thread of a vector env, say) the call runs on one reusable daemon worker thread per executor and
the caller waits with a timeout. Neither can stop a loop inside C code, and a thread cannot be killed: a runaway
tool on the worker path is abandoned and keeps a CPU busy until it ends. That is acceptable for trusted code only;
untrusted code belongs in the isolated executor. Builtins and imported library modules are the process's own:
trusted code must not patch them.
"""

from __future__ import annotations

import functools
import math
import os
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
from toolgym.execution.ftrl import ftrl_arguments, ftrl_invoke
from toolgym.execution.render import describe_exception, error_message, render
from toolgym.execution.validation import ArgumentValidator, tool_validator
from toolgym.models.calls import ToolCall, ToolResult
from toolgym.models.memo import IdentityMemo
from toolgym.models.task import Task, ToolSpec

CACHE_SIZE = 256            # compiled tasks kept; a training set cycles through far fewer per worker
CODE_CACHE_SIZE = 2048      # code objects kept by (tool name, source piece): shared pieces compile once
_HAS_ALARM = hasattr(signal, "pthread_kill") and hasattr(signal, "SIGALRM")  # not on Windows


class _CallTimeout(BaseException):
    """Raised into a tool by the SIGALRM handler. A BaseException, so a tool's `except Exception` can't swallow it."""


class _AlarmUnavailable(Exception):
    """SIGALRM cannot be used in this thread or interpreter."""


class _AlarmHandler:
    """toolgym's SIGALRM handler, installed once and left in place (swapping handlers per call costs ~6 µs).

    It raises into the tool call the watchdog found past its deadline (`expired`); a SIGALRM from anyone else is
    handed to the handler installed before this one, at once outside a call, after it during one, so a program's
    own SIGALRM use keeps working; if someone installs another handler later, the next call re-installs this one
    on top of it.
    """

    def __init__(self) -> None:
        self.active = False   # a tool call is running on the main thread
        self.call = 0         # counts the calls, so that a late watchdog never interrupts the next one
        self.expired = -1     # the call the watchdog found past its deadline, set just before it signals
        self.held = False     # someone else's SIGALRM arrived during a call: deliver it when the call ends
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
        if self.expired >= 0:  # the watchdog's signal
            expired, self.expired = self.expired, -1
            if self.active and expired == self.call:
                raise _CallTimeout
            return  # the call ended in time after all
        if self.active:
            self.held = True
            return
        self.chain(signum, frame)

    def chain(self, signum: int, frame: types.FrameType | None) -> None:
        """Hand a SIGALRM that is not toolgym's to the handler installed before this one."""
        if callable(self.chained):
            self.chained(signum, frame)
        elif self.chained == signal.SIG_DFL:  # SIGALRM's default action ends the process: keep that meaning
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGALRM)


_ALARM = _AlarmHandler()


class _Watchdog:
    """The thread that ends main-thread tool calls at their deadline (see the module docstring). The caller only
    writes two attributes per call; the thread sleeps until the deadline of the call in progress, or, between
    calls, for the shortest time limit used so far, so a call that starts while it sleeps is checked in time."""

    def __init__(self) -> None:
        self.deadline: float | None = None  # monotonic time by which the call in progress must end
        self._shortest = math.inf
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, timeout: float) -> None:
        """Start watching a new call on the main thread (`_ALARM.call` is its number)."""
        if timeout < self._shortest or self._thread is None:  # rare: re-plan the thread's sleep, start it
            self._shortest = min(self._shortest, timeout)
            self._start()
        self.deadline = time.monotonic() + timeout

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="toolgym-watchdog", daemon=True)
            self._thread.start()
        self._wake.set()

    def _serve(self) -> None:
        signalled = -1
        while True:
            deadline, call = self.deadline, _ALARM.call
            wait = self._shortest if deadline is None else deadline - time.monotonic()
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()
                continue
            if _ALARM.active and _ALARM.call == call and self.deadline == deadline and signalled != call:
                signalled = call  # once per call, as a one-shot timer
                _ALARM.expired = call
                signal.pthread_kill(threading.main_thread().ident, signal.SIGALRM)
            self._wake.wait(self._shortest)
            self._wake.clear()

    def after_fork(self) -> None:
        """In a forked child the thread is gone: the next call starts a new one."""
        self.__init__()  # type: ignore[misc]


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG.after_fork)

try:
    from _signal import getsignal as _raw_getsignal  # CPython's C function, which `signal.getsignal` wraps
except ImportError:  # another interpreter
    _raw_getsignal = signal.getsignal


# --- preparing a task, once; loading its tools, per executor ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PreparedTool:
    """What every episode of a task shares for one tool: its code objects and validator, or `problem` saying why
    it cannot be called. Immutable; the module its code runs in is made per executor (`load_tool`)."""

    name: str
    codes: tuple[types.CodeType, ...]
    validator: ArgumentValidator | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledTool:
    """One tool loaded in one executor: its module and function, or `problem` saying why it cannot be called."""

    name: str
    module: types.ModuleType | None
    function: Callable[..., Any] | None
    validator: ArgumentValidator | None
    problem: str | None = None


_CUT = "\ndef "  # where `_module_code` cuts a source


@functools.lru_cache(maxsize=CODE_CACHE_SIZE)
def _code(name: str, source: str) -> types.CodeType:
    """The code object of a piece of a tool's source, shared by every task shipping the same piece under the same
    tool name (a code object is immutable; each executor runs it in a module of its own). The filename names the
    tool, never a host path."""
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


def _fresh_module(name: str, codes: tuple[types.CodeType, ...] | list[types.CodeType]) -> types.ModuleType:
    """Run `codes` in order as the body of a new module."""
    module = types.ModuleType(f"toolgym_tool_{name}")
    namespace = module.__dict__
    for code in codes:
        exec(code, namespace)  # trusted code only: see the module docstring
    return module


def prepare_tool(spec: ToolSpec, source: str) -> PreparedTool:
    """Compile one tool's schema and source; a broken one yields a tool whose `problem` is reported at call time."""
    name = spec.name
    try:
        validator = tool_validator(spec)
    except Exception as e:  # a schema jsonschema cannot even load: the tool is unusable, the task still loads
        return PreparedTool(name, (), None, f"tool schema cannot be used: {describe_exception(e)}")
    try:
        codes = tuple(_module_code(name, source))
    except SyntaxError as e:
        return PreparedTool(name, (), validator, f"tool code does not compile: {e.msg} (line {e.lineno})")
    except ValueError as e:  # a NUL byte in the source
        return PreparedTool(name, (), validator, f"tool code does not compile: {e}")
    return PreparedTool(name, codes, validator)


def load_tool(tool: PreparedTool) -> CompiledTool:
    """Run a prepared tool's code in a fresh module: the tool state of one executor."""
    name, validator = tool.name, tool.validator
    if tool.problem is not None:
        return CompiledTool(name, None, None, validator, tool.problem)
    try:
        module = _fresh_module(name, tool.codes)
    except Exception as e:  # a failing import or top-level statement in generated code
        return CompiledTool(name, None, None, validator, f"tool code failed to load: {describe_exception(e)}")
    function = getattr(module, name, None)
    if not callable(function):
        return CompiledTool(name, module, None, validator, f"tool code does not define a function named {name!r}")
    return CompiledTool(name, module, function, validator)


class PreparedTask(Mapping[str, PreparedTool]):
    """The tools of one task by name, each prepared on its first lookup: an episode (or a gold replay) calls a few
    of a task's tools, and compiling a tool costs far more than running its module. Safe to share between threads:
    a racing thread's result wins."""

    __slots__ = ("_sources", "_tools", "_lock")

    def __init__(self, task: Task) -> None:
        self._sources = {spec.name: (spec, task.code[spec.name]) for spec in task.tools}
        self._tools: dict[str, PreparedTool] = {}
        self._lock = threading.Lock()

    def get(self, name: str, default: Any = None) -> Any:  # the hot path of `run`: no KeyError round trip
        tool = self._tools.get(name)
        if tool is not None:
            return tool
        return self[name] if name in self._sources else default

    def __getitem__(self, name: str) -> PreparedTool:
        tool = self._tools.get(name)
        if tool is None:
            prepared = prepare_tool(*self._sources[name])  # outside the lock: compiling may be slow
            with self._lock:
                tool = self._tools.setdefault(name, prepared)
        return tool

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


class _TaskCache:
    """A bounded LRU of prepared tasks keyed by content hash, safe to share between threads. A generated task whose
    hash is deferred (`Task.hash_deferred`) is keyed by identity instead: hashing it would cost more than preparing
    it, and a stream hands out the same object each time its task is re-read."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, PreparedTask] = OrderedDict()
        self._lock = threading.Lock()
        self._unhashed: IdentityMemo[PreparedTask] = IdentityMemo(size)

    def get(self, task: Task) -> PreparedTask:
        if task.hash_deferred:
            return self._unhashed.get(None, (task,), lambda: PreparedTask(task))
        key = task.content_hash
        if not key:  # a record built without validation has no hash: nothing safe to key on
            return PreparedTask(task)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        prepared = PreparedTask(task)
        with self._lock:
            prepared = self._items.setdefault(key, prepared)  # a racing thread's result wins
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return prepared

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
        self._unhashed = IdentityMemo(self._size)


_CACHE = _TaskCache(CACHE_SIZE)


def prepared_tools(task: Task) -> Mapping[str, PreparedTool]:
    """The prepared tools of `task` (cached: the same content hash gives the same objects)."""
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
    """Runs the tools of one task in this process for one episode, each call under a time limit (`timeout`
    seconds, None: none). Each executor has its own tool modules: nothing a call leaves in them reaches another
    executor. `ftrl=True` runs calls as the FTRL reference does (`toolgym.execution.ftrl`: no schema check).

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
    >>> TrustedExecutor(task, ftrl=True).run(ToolCall("add", '{"a": 2}')).content
    "an error occured when call add: add() missing 1 required positional argument: 'b'"
    >>> ex.close()
    """

    def __init__(self, task: Task, *, timeout: float | None = DEFAULT_TIMEOUT_S, ftrl: bool = False) -> None:
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
        self.task = task
        self.timeout = timeout
        self.ftrl = ftrl
        self._prepared: Mapping[str, PreparedTool] | None = prepared_tools(task)
        self._tools: dict[str, CompiledTool] = {}
        self._invoke = ftrl_invoke if ftrl else _invoke
        self._worker: _Worker | None = None

    # -- the protocol --

    def run(self, call: ToolCall) -> ToolResult:
        """Validate the call's arguments, run the tool, render its return value; never raises for a bad call."""
        name = call.name
        tool = self._tools.get(name) or self._load(name)
        if tool is None:
            return unknown_tool(name, self._prepared_tools())
        args = ftrl_arguments(call) if self.ftrl else admitted_arguments(call, tool.validator)
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
        """The module tool `name`'s source runs in, this executor's own (loaded on first use)."""
        tool = self._tools.get(name) or self._load(name)
        return None if tool is None else tool.module

    # -- pickling: keep what defines the executor, rebuild the rest lazily (tool state starts fresh) --

    def __getstate__(self) -> dict[str, Any]:
        return {"task": self.task, "timeout": self.timeout, "ftrl": self.ftrl}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["task"], timeout=state["timeout"], ftrl=state.get("ftrl", False))  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"TrustedExecutor(task={self.task.id!r}, timeout={self.timeout!r}, ftrl={self.ftrl!r})"

    # -- internals --

    def _prepared_tools(self) -> Mapping[str, PreparedTool]:
        if self._prepared is None:
            self._prepared = prepared_tools(self.task)
        return self._prepared

    def _load(self, name: str) -> CompiledTool | None:
        """Load tool `name` into this executor (None: the task has no such tool)."""
        prepared = self._prepared_tools().get(name)
        if prepared is None:
            return None
        return self._tools.setdefault(name, load_tool(prepared))  # a racing thread's module wins

    def _timed_out(self, name: str) -> ToolResult:
        return ToolResult(error_message(name, f"the call timed out after {self.timeout:g} s"), "timeout")

    def _call(self, name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
        if self.timeout is None:
            return self._invoke(name, function, args)
        if _on_main_thread():
            try:
                return self._call_with_alarm(name, function, args)
            except _AlarmUnavailable:  # e.g. the main thread of a subinterpreter
                pass
        return self._call_on_worker(name, function, args)

    def _call_with_alarm(self, name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
        """Run the call under the watchdog's deadline; then deliver any SIGALRM held during it."""
        _ALARM.install()
        _ALARM.call += 1
        _WATCHDOG.watch(self.timeout)  # type: ignore[arg-type]
        _ALARM.active = True
        try:
            try:
                return self._invoke(name, function, args)
            finally:
                _ALARM.active = False
                _WATCHDOG.deadline = None
        except _CallTimeout:  # also when the signal lands just after the tool returned: the limit was reached
            return self._timed_out(name)
        finally:
            if _ALARM.held:
                _ALARM.held = False
                _ALARM.chain(signal.SIGALRM, None)

    def _call_on_worker(self, name: str, function: Callable[..., Any], args: dict[str, Any]) -> ToolResult:
        """Run the call on the worker thread; on timeout abandon that thread (it cannot be killed) for a new one."""
        if self._worker is None:
            self._worker = _Worker()
        invoke = self._invoke
        future = self._worker.submit(lambda: invoke(name, function, args))
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

"""Running untrusted tool code in worker processes: `SandboxExecutor` and its `WorkerPool`.

Tool code from a file someone else made, or written by an LLM, runs in pre-started worker processes
(`_worker.py`), never in the caller's: a call is one round trip of length-prefixed JSON over a pipe (never pickle,
so a compromised worker cannot run code in the parent). Arguments are decoded and validated against the tool's
schema here, in the parent (`tool_validator`), before anything is sent. Workers are shared by every executor and
env of the process (`shared_pool`), started lazily, replaced when they die, and closed at exit.

What one call is held to, and how a breach comes back (always a `ToolResult`, never an exception; the env, the
pool and the episode go on):

=====================  =================================================================  =================
limit                  mechanism                                                          `ToolResult.error`
=====================  =================================================================  =================
wall clock             the parent waits `timeout` s, then SIGKILLs the worker, starts       'timeout'
                       a new one
CPU time               RLIMIT_CPU, re-armed per call to `cpu_s` s (SIGXCPU kills the        'cpu'
                       worker, even inside C code)
memory                 RLIMIT_AS of `memory_mb` MB per worker (MemoryError in the tool;     'memory'
                       the worker is then replaced, as the tool may still hold it)
child processes,       audit hook on os.fork/system/exec/posix_spawn/subprocess/pty and    'forbidden'
threads                on starting a thread (one could outlive its call); RLIMIT_NPROC 0
                       (enforced by the kernel only when the worker's real user is not root)
network                audit hook on socket creation, connect, bind, DNS, urllib; no       'forbidden'
                       network at all in a network namespace when `unshare` works
files                  audit hook: writes, deletes, renames, chmod only inside the          'forbidden'
                       worker's scratch directory; reads only there and under Python's
                       install and import paths; RLIMIT_FSIZE 16 MB, RLIMIT_NOFILE 64
native code            audit hook on importing ctypes/cffi/_posixsubprocess/                'forbidden'
                       multiprocessing and on ctypes calls
environment            workers start with an empty environment (`python -I`, no host        (nothing leaks)
                       variables); os.putenv is forbidden
signals to others      audit hook on os.kill/killpg/pthread_kill                            'forbidden'
worker death           exit, segfault (deep recursion in C), os._exit: the worker is        'crashed'
                       replaced
huge result            over `MAX_RESPONSE_BYTES`: the worker is replaced                    'output'
=====================  =================================================================  =================

Deep Python recursion, `sys.exit` and exceptions of any kind come back as 'exception' (the tool's message, in the
reference's wording), as on the trusted path.

Stronger isolation, when the machine allows it (`isolation()` probes once and says which is on): when the parent
runs as root and user `nobody` can run this interpreter, workers run as `nobody` (`SANDBOX_UID`), so they cannot
read the parent's files or signal its processes even past the audit hook; when `unshare` can make an unprivileged
user and network namespace, workers run in one, with no network interface but a loopback that is down.

What is *not* contained: an audit hook is not a security boundary. Code that reaches native code by a route the
hook does not see (an already imported C extension with a memory bug, `gc`/frame tricks that undo the hook's
state) can do whatever the worker's user may do: as `nobody` in a network namespace that is little, as the same
user as the parent it is the parent's own rights (read its files, talk to the network if no namespace). Workers
are reused across tasks: a tool can leave state behind in the worker's interpreter (patched stdlib modules,
module globals) that later calls of other tasks see; scratch files are removed after every call. For hostile
code, run the whole trainer in a container or VM as well.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolgym.errors import ToolgymError
from toolgym.execution.base import DEFAULT_TIMEOUT_S
from toolgym.execution.render import describe_exception, error_message
from toolgym.execution.arguments import admitted_arguments, unknown_tool
from toolgym.execution.ftrl import ftrl_arguments
from toolgym.execution.validation import ArgumentValidator, tool_validator
from toolgym.models.calls import ToolCall, ToolResult
from toolgym.models.task import Task

DEFAULT_MEMORY_MB = 1024        # address space per worker; the interpreter itself takes ~30 MB of it
DEFAULT_POOL_SIZE = min(4, os.cpu_count() or 1)
STARTUP_TIMEOUT_S = 30.0        # a worker that is not ready by then is a fault of the machine, not of a tool
MAX_RESPONSE_BYTES = 16 << 20   # a tool message larger than this is refused
SANDBOX_UID = 65534             # `nobody`: workers drop to it when the parent is root
WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
VALIDATOR_CACHE = 256           # tasks whose compiled validators are kept
READ_CHUNK = 1 << 16
_HEADER = struct.Struct("!I")
_ERROR_KINDS = frozenset({None, "exception", "memory", "forbidden"})  # what a worker may report by itself


class SandboxError(ToolgymError):
    """The sandbox itself is broken (a worker cannot start); a fault of the machine, not feedback for a model."""


class _WorkerLost(Exception):
    """The worker died, overran its time, or broke the protocol; `kind` and `detail` say which."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


# --- isolation available on this machine --------------------------------------------------------------------------

@dataclass(frozen=True)
class Isolation:
    """How workers are started: a command prefix (`unshare`), Popen keywords (user), and what that gives."""

    prefix: tuple[str, ...] = ()
    popen: tuple[tuple[str, Any], ...] = ()
    features: tuple[str, ...] = ()


def _works(prefix: tuple[str, ...], popen: dict[str, Any]) -> bool:
    """Whether a worker started this way can run Python and read the worker script."""
    probe = f"open({str(WORKER_SCRIPT)!r}).close()"
    try:
        return subprocess.run([*prefix, sys.executable, "-I", "-c", probe], env={}, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False,
                              **popen).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@lru_cache(maxsize=1)
def isolation() -> Isolation:
    """Probe once per process for what the machine offers beyond rlimits and the audit hook: the strongest of
    (user nobody, network namespace) that can still run this Python."""
    users: list[tuple[dict[str, Any], tuple[str, ...]]] = [({}, ())]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        users.insert(0, ({"user": SANDBOX_UID, "group": SANDBOX_UID, "extra_groups": []}, ("user nobody",)))
    unshare = shutil.which("unshare")
    prefixes: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]
    if unshare:
        prefixes.insert(0, ((unshare, "--user", "--map-root-user", "--net", "--"), ("network namespace",)))
    for popen, user_features in users:
        for prefix, prefix_features in prefixes:
            if (popen or prefix) and _works(prefix, popen):
                return Isolation(prefix, tuple(popen.items()), user_features + prefix_features)
    return Isolation()


# --- one worker process ---------------------------------------------------------------------------------------------

class _Process:
    """One worker process and its pipes; used by one thread at a time (the pool hands it out)."""

    def __init__(self, memory_mb: int | None) -> None:
        iso = isolation()
        self.scratch = tempfile.mkdtemp(prefix="toolgym-sandbox-")
        popen = dict(iso.popen)
        if "user" in popen:
            os.chown(self.scratch, SANDBOX_UID, SANDBOX_UID)
        config = json.dumps({"scratch": self.scratch, "memory_mb": memory_mb})
        env = {"LC_ALL": "C.UTF-8", "HOME": self.scratch, "TMPDIR": self.scratch}
        self.proc = subprocess.Popen([*iso.prefix, sys.executable, "-I", str(WORKER_SCRIPT), config],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, cwd=self.scratch, close_fds=True, start_new_session=True, **popen)
        self.ready = False
        self._buffer = bytearray()
        self._scratch_mtime = os.stat(self.scratch).st_mtime_ns

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            hello = self._receive(time.monotonic() + STARTUP_TIMEOUT_S)
        except _WorkerLost as e:
            raise SandboxError(f"a sandbox worker failed to start: {e.detail}") from None
        if hello.get("ready") is not True:
            raise SandboxError(f"a sandbox worker failed to start: unexpected greeting {hello!r}")
        self.ready = True

    def request(self, message: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
        try:
            self._write_all(_HEADER.pack(len(body)) + body)
        except OSError:
            raise self._lost() from None
        return self._receive(deadline)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.proc.stdin.fileno(), view):]

    def _receive(self, deadline: float | None) -> dict[str, Any]:
        head = self._read(_HEADER.size, deadline)
        size = _HEADER.unpack(head)[0]
        if size > MAX_RESPONSE_BYTES:
            raise _WorkerLost("output", f"the tool's result is larger than {MAX_RESPONSE_BYTES >> 20} MB")
        try:
            message = json.loads(self._read(size, deadline))
        except ValueError:
            raise _WorkerLost("crashed", "the sandbox worker sent an unreadable reply") from None
        if not isinstance(message, dict):
            raise _WorkerLost("crashed", "the sandbox worker sent an unreadable reply")
        return message

    def _read(self, n: int, deadline: float | None) -> bytes:
        """`n` bytes from the worker; reads ahead in large chunks so a reply usually costs one read."""
        fd = self.proc.stdout.fileno()
        while len(self._buffer) < n:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                    raise _WorkerLost("timeout", "")
            chunk = os.read(fd, max(READ_CHUNK, n - len(self._buffer)))
            if not chunk:
                raise self._lost()
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return bytes(data)

    def _lost(self) -> _WorkerLost:
        """Why the worker is gone, from its exit status."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return _WorkerLost("crashed", "the sandbox worker stopped answering")
        if code == -signal.SIGXCPU:
            return _WorkerLost("cpu", "")
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return _WorkerLost("crashed", f"the tool crashed its sandbox process (signal {name}; e.g. unbounded "
                                          "recursion in C code)")
        return _WorkerLost("crashed", f"the tool ended its sandbox process (exit code {code})")

    def clean_scratch(self) -> None:
        """Remove what the last call wrote (a stat when it wrote nothing, which is the common case)."""
        try:
            if os.stat(self.scratch).st_mtime_ns == self._scratch_mtime:
                return
            entries = os.listdir(self.scratch)
        except OSError:
            return
        for entry in entries:
            path = os.path.join(self.scratch, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass
        self._scratch_mtime = os.stat(self.scratch).st_mtime_ns

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.scratch, ignore_errors=True)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


# --- the pool -------------------------------------------------------------------------------------------------------

class WorkerPool:
    """`size` pre-started worker processes shared by any number of executors, each serving one call at a time.

    Workers start on first use and are replaced when they die or overrun. `memory_mb` caps each worker's address
    space (None: no cap). Thread-safe; after a fork the child starts its own workers. `close()` is idempotent and
    the pool restarts if used again.

    >>> pool = WorkerPool(2)
    >>> pool.size, pool.started
    (2, 0)
    >>> pool.close()
    """

    def __init__(self, size: int = DEFAULT_POOL_SIZE, *, memory_mb: int | None = DEFAULT_MEMORY_MB) -> None:
        if size < 1:
            raise ValueError(f"a worker pool needs at least one worker, got size={size}")
        if memory_mb is not None and memory_mb < 64:
            raise ValueError(f"memory_mb must be at least 64 (the interpreter needs ~30 MB), got {memory_mb}")
        self.size = size
        self.memory_mb = memory_mb
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Condition()
        self._idle: list[_Process] = []
        self._all: list[_Process] = []

    @property
    def started(self) -> int:
        """Worker processes currently running."""
        return len(self._all) if self._pid == os.getpid() else 0

    def call(self, message: dict[str, Any], source: str, timeout: float | None) -> dict[str, Any]:
        """Send one request (and the source, if the worker asks for it); the worker's reply.

        Raises `_WorkerLost` when the worker overran or died (it is then replaced).
        """
        worker = self._acquire()
        lost = True
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            reply = worker.request(message, deadline)
            if reply.get("need_source"):
                reply = worker.request({**message, "source": source}, deadline)
            lost = reply.get("retire") is True  # e.g. after a MemoryError: the tool may still hold the memory
            return reply
        finally:
            self._release(worker, lost)

    def _acquire(self) -> _Process:
        with self._lock:
            if self._pid != os.getpid():  # forked: the workers belong to the parent process
                self._reset()
                return self._acquire()
            if not self._all:
                for _ in range(self.size):  # start them all at once: they boot in parallel
                    self._all.append(_Process(self.memory_mb))
                self._idle = list(self._all)
            while not self._idle:
                self._lock.wait()
            worker = self._idle.pop()
        try:
            worker.wait_ready()
        except BaseException:
            self._release(worker, True)
            raise
        return worker

    def _release(self, worker: _Process, lost: bool) -> None:
        if lost or not worker.alive:
            worker.kill()
            replacement = _Process(self.memory_mb)
        else:
            worker.clean_scratch()
            replacement = worker
        with self._lock:
            if self._pid != os.getpid():
                return
            if worker in self._all:
                self._all.remove(worker)
                self._all.append(replacement)
                self._idle.append(replacement)
            elif replacement is not worker:  # the pool was closed meanwhile
                replacement.kill()
            self._lock.notify()

    def close(self) -> None:
        """Stop every worker. Idempotent; a later call starts new workers."""
        with self._lock:
            workers = self._all if self._pid == os.getpid() else []
            self._all, self._idle = [], []
        for worker in workers:
            worker.kill()

    def __repr__(self) -> str:
        return f"WorkerPool(size={self.size}, memory_mb={self.memory_mb}, started={self.started})"


_SHARED: dict[int | None, WorkerPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(memory_mb: int | None = DEFAULT_MEMORY_MB) -> WorkerPool:
    """The process-wide pool for a memory limit, created on first use and closed at exit."""
    with _SHARED_LOCK:
        pool = _SHARED.get(memory_mb)
        if pool is None:
            pool = _SHARED[memory_mb] = WorkerPool(DEFAULT_POOL_SIZE, memory_mb=memory_mb)
        return pool


@atexit.register
def _close_shared_pools() -> None:
    for pool in list(_SHARED.values()):
        pool.close()


# --- the executor ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Tool:
    validator: ArgumentValidator | None
    problem: str | None
    source: str
    key: str


_TOOLS: OrderedDict[str, dict[str, _Tool]] = OrderedDict()
_TOOLS_LOCK = threading.Lock()


def _prepare(task: Task) -> dict[str, _Tool]:
    tools = {}
    for spec in task.tools:
        key = f"{task.content_hash}:{spec.name}"
        try:
            tools[spec.name] = _Tool(tool_validator(spec), None, task.code[spec.name], key)
        except Exception as e:  # a schema jsonschema cannot load: the tool is unusable, the task still runs
            tools[spec.name] = _Tool(None, f"tool schema cannot be used: {describe_exception(e)}", "", key)
    return tools


def _tools_of(task: Task) -> Mapping[str, _Tool]:
    key = task.content_hash
    with _TOOLS_LOCK:
        if key and key in _TOOLS:
            _TOOLS.move_to_end(key)
            return _TOOLS[key]
    tools = _prepare(task)
    if key:
        with _TOOLS_LOCK:
            _TOOLS[key] = tools
            while len(_TOOLS) > VALIDATOR_CACHE:
                _TOOLS.popitem(last=False)
    return tools


class SandboxExecutor:
    """Runs the tools of one task in sandboxed worker processes (see the module docstring for the limits).

    `timeout`: wall-clock seconds per call (None: none); `cpu_s`: CPU seconds per call (default: `timeout`, or
    none); `memory_mb`: address space per worker (default `DEFAULT_MEMORY_MB`); `pool`: the workers to use
    (default: the process-wide `shared_pool` for that memory limit). `ftrl=True` admits calls the FTRL reference's
    way (`toolgym.execution.ftrl`: no schema check); rendering and error wording stay the worker's.

    >>> from toolgym.models.task import Task
    >>> task = Task(id="t", question="q", messages=[{"role": "user", "content": "q"}], answer="5",
    ...             tools=[{"function": {"name": "add", "parameters": {"type": "object"}}}],
    ...             code={"add": "import os\\ndef add(a, b):\\n    return a + b"}, expected={"add": ["5"]},
    ...             scenario="single_hop")
    >>> ex = SandboxExecutor(task)
    >>> ex.run(ToolCall("add", '{"a": 2, "b": 3}'))
    ToolResult(content='5', error=None)
    >>> ex.close()
    """

    def __init__(self, task: Task, *, timeout: float | None = DEFAULT_TIMEOUT_S, memory_mb: int | None = None,
                 cpu_s: float | None = None, pool: WorkerPool | None = None, ftrl: bool = False) -> None:
        for label, value in (("timeout", timeout), ("cpu_s", cpu_s)):
            if value is not None and not value > 0:
                raise ValueError(f"{label} must be a positive number of seconds or None, got {value!r}")
        if pool is not None and memory_mb is not None and memory_mb != pool.memory_mb:
            raise ValueError(f"memory_mb={memory_mb} differs from the given pool's limit ({pool.memory_mb}); the "
                             "memory limit belongs to the pool's workers: make a WorkerPool(memory_mb=...)")
        self.task = task
        self.timeout = timeout
        self.cpu_s = cpu_s if cpu_s is not None else timeout
        self.memory_mb = pool.memory_mb if pool is not None else (memory_mb or DEFAULT_MEMORY_MB)
        self._pool = pool
        self.ftrl = ftrl
        self._tools: Mapping[str, _Tool] | None = None

    @property
    def pool(self) -> WorkerPool:
        if self._pool is None:
            self._pool = shared_pool(self.memory_mb)
        return self._pool

    def run(self, call: ToolCall) -> ToolResult:
        """Validate the call's arguments here, run the tool in a worker; never raises for a bad call."""
        name = call.name
        if self._tools is None:
            self._tools = _tools_of(self.task)
        tool = self._tools.get(name)
        if tool is None:
            return unknown_tool(name, self._tools)
        args = ftrl_arguments(call) if self.ftrl else admitted_arguments(call, tool.validator)
        if isinstance(args, ToolResult):
            return args
        if tool.problem is not None:
            return ToolResult(error_message(name, tool.problem), "exception")
        return self._remote(name, tool, call.arguments)

    def _remote(self, name: str, tool: _Tool, arguments: str) -> ToolResult:
        message = {"key": tool.key, "name": name, "args": arguments, "cpu_s": self.cpu_s}
        try:
            reply = self.pool.call(message, tool.source, self.timeout)
        except _WorkerLost as e:
            return ToolResult(error_message(name, self._explain(e)), e.kind)
        content, error = reply.get("content"), reply.get("error")
        if not isinstance(content, str) or error not in _ERROR_KINDS:
            return ToolResult(error_message(name, "the sandbox worker sent an unreadable reply"), "crashed")
        return ToolResult(content, error)

    def _explain(self, lost: _WorkerLost) -> str:
        if lost.kind == "timeout":
            return f"the call timed out after {self.timeout:g} s (wall-clock limit)"
        if lost.kind == "cpu":
            return f"the call exceeded the CPU time limit of {self.cpu_s:g} s"
        return lost.detail

    def close(self) -> None:
        """Nothing to release: the workers belong to the pool. Idempotent; the executor stays usable."""

    def __getstate__(self) -> dict[str, Any]:
        return {"task": self.task, "timeout": self.timeout, "cpu_s": self.cpu_s, "memory_mb": self.memory_mb,
                "ftrl": self.ftrl}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.task, self.timeout, self.cpu_s = state["task"], state["timeout"], state["cpu_s"]
        self.memory_mb, self._pool, self._tools = state["memory_mb"], None, None
        self.ftrl = state.get("ftrl", False)

    def __repr__(self) -> str:
        return (f"SandboxExecutor(task={self.task.id!r}, timeout={self.timeout!r}, cpu_s={self.cpu_s!r}, "
                f"memory_mb={self.memory_mb!r})")

"""Running untrusted tool code in kernel-confined processes: `SandboxExecutor` and its `WorkerPool`.

Tool code from a file someone else made, or written by an LLM, never runs in the caller's process. A pool runs a
*zygote* (`_worker.py`: pre-imported, never runs tool code, in fresh mount, network and IPC namespaces, and a
user namespace unless the trainer is root, where the machine allows) that forks **one child per episode** (per `SandboxExecutor`), one ahead so that an episode finds
it waiting; the child confines itself before it reads anything of the task and is killed when the executor
closes, so no state crosses episodes or tasks. The executor takes its child when it is made (the episode's
reset; the parent asked the zygote for it at the previous spawn), and the child prepares the task's tools while
the model writes. Each call runs in a new scratch directory; the episode's scratch is emptied after every call.
A turn's calls are one round trip (`run_turn`) of length-prefixed JSON on a private socket (never pickle); the
parent trusts nothing that comes back: replies are bounded in size, parsed with nesting errors caught, must echo
the call's id and, after the turn's last, come alone. A child that breaks any of that, overruns, or dies is killed
(through a pidfd, so exactly it) and the next call starts a fresh one; the call gets a tool error.

What contains what, in the child (`sandbox="strict"`, the default, refuses to run without Landlock and seccomp):

=========================  =====================================================================  ============
what                       mechanism                                                              `error`
=========================  =====================================================================  ============
host paths, metadata       the minimal root: `/` is a tmpfs of read-only binds of what Python     exception
                           needs and the scratch tmpfs (pivot_root); no other host path exists
files                      Landlock: read-only Python's install and import paths, toolgym's       'forbidden'
                           sources, the loaded libraries' directories; read-write only the        or exception
                           episode's scratch directory; nothing else, not even listing
processes, threads, exec   seccomp allow-list: clone/fork/vfork/execve absent (EPERM)             'forbidden'
network, host sockets      seccomp: no socket() at all; Landlock: no TCP bind/connect; a network  'forbidden'
                           namespace without interfaces
signals                    seccomp: kill/tgkill/tkill only on itself, no pidfd calls; Landlock    'forbidden'
                           signal scoping (ABI >= 6)
kernel attack surface      seccomp allow-list: no ptrace, mount, unshare, setns, keyctl, bpf,     'forbidden'
                           perf_event_open, io_uring, userfaultfd, mknod...
privileges                 PR_SET_NO_NEW_PRIVS, every capability dropped, an empty environment;   -
                           user `nobody` (real, no groups) when the parent is root
wall clock                 the parent waits `timeout` s, then SIGKILLs the child                  'timeout'
CPU time                   RLIMIT_CPU re-armed per call (SIGXCPU kills, even inside C code)        'cpu'
memory                     RLIMIT_AS: `memory_mb` MB beyond what the interpreter maps              'memory'
files' size, descriptors   RLIMIT_FSIZE 16 MB, RLIMIT_NOFILE 64; all scratch together on a tmpfs   exception
                           of `scratch_mb` (a mount namespace of the zygote's)
death, protocol breach     exit, segfault, a forged or malformed reply: the child is replaced      'crashed'
huge result                over `MAX_RESPONSE_BYTES`: the child is replaced                        'output'
=========================  =====================================================================  ============

A CPython audit hook in the child turns common attempts into readable messages ("forbidden operation in the
sandbox: ..."); it is a friendly layer, not the boundary: code that gets past it meets the kernel's refusal as an
OSError. `sandbox="strict"` needs seccomp and Landlock ABI >= 3; `sandbox="weak"` (or `TOOLGYM_SANDBOX=weak`)
runs with whatever the kernel has (an older Landlock, or none; no seccomp): the minimal root, namespaces, the user
drop, rlimits and the audit hook still apply. Where no mount namespace can be made there is no minimal root (host
metadata is visible) and scratch space is capped per file only. Not contained even in "strict": a tool raising its
own soft CPU limit (the wall clock still stops it), and kernel bugs.

Arguments are decoded and validated against the tool's schema *in the child* (an untrusted schema's `pattern`
could backtrack catastrophically: there it is bounded by the call's time limit). Deep Python recursion,
`sys.exit` and exceptions of any kind come back as 'exception' (the tool's message, in the reference's wording),
as on the trusted path.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolgym.errors import ToolgymError
from toolgym.execution import _confine
from toolgym.execution._worker import HEADER, frame, remove_tree, write_all
from toolgym.execution.arguments import unknown_tool
from toolgym.execution.base import DEFAULT_TIMEOUT_S
from toolgym.execution.render import error_message
from toolgym.models.calls import ToolCall, ToolResult
from toolgym.models.task import Task

DEFAULT_MEMORY_MB = 1024        # address space a tool may add to the interpreter's
DEFAULT_SCRATCH_MB = 512        # what a pool's sandbox processes may write in all (a private tmpfs)
DEFAULT_POOL_SIZE = os.cpu_count() or 1
STARTUP_TIMEOUT_S = 30.0        # a sandbox not ready by then is a fault of the machine, not of a tool
EXIT_GRACE_S = 1.0              # how long a child that closed its socket may take to exit before it is killed
MAX_RESPONSE_BYTES = 16 << 20   # a tool message larger than this is refused
SANDBOX_UID = 65534             # `nobody`: the zygote drops to it when the parent is root (if nobody can run Python)
SANDBOX_LEVELS = ("strict", "weak")
STRICT_STEPS = ("no_new_privs", "landlock", "seccomp")  # what a child must apply under sandbox="strict"
SANDBOX_ENV = "TOOLGYM_SANDBOX"  # "weak" opts every SandboxExecutor into running without kernel confinement
WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
SCRATCH_PARENT = "/dev/shm"     # scratch directories live in memory when possible: a call's mkdir and cleanup are
                                # ~20x cheaper there than on a journaling disk
READ_CHUNK = 1 << 16
BATCH_BYTES = 1 << 16  # a turn's calls are sent in one write up to this size (well inside a socket's buffer, so
                       # the write never waits for a tool that is still running)
_ERROR_KINDS = frozenset({None, "exception", "memory", "forbidden", "invalid_json", "invalid_arguments"})
_REPLY_KEYS = frozenset({"id", "content", "error", "retire"})


class SandboxError(ToolgymError):
    """The sandbox itself is broken or refuses (no kernel confinement); a fault of the machine, not feedback."""


class _Lost(Exception):
    """The child died, overran its time, or broke the protocol; `kind` and `detail` say which."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


# --- what this machine offers ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Isolation:
    """How the zygote is started: a command prefix (`unshare`), Popen keywords (user), what that gives, and the
    unprivileged user its children become (when the trainer is root and the zygote is real root in its own
    namespaces)."""

    prefix: tuple[str, ...] = ()
    popen: tuple[tuple[str, Any], ...] = ()
    features: tuple[str, ...] = ()
    uid: int | None = None


def _works(prefix: tuple[str, ...], popen: dict[str, Any]) -> bool:
    """Whether a process started this way can run Python, import what the zygote imports and read toolgym's
    sources (user `nobody` often cannot read a Python installed under /root)."""
    probe = f"import jsonschema, pydantic; open({str(WORKER_SCRIPT)!r}).close()"
    try:
        return subprocess.run([*prefix, sys.executable, "-I", "-c", probe], env={}, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False,
                              **popen).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _candidates(root: bool) -> list[Isolation]:
    """Ways to start the zygote, strongest first. As root: real root in fresh mount, network and IPC namespaces
    (it builds the minimal root, then its children become `nobody`; a user namespace would leave them root's file
    rights, since only uid 0 can be mapped without a helper); else a user namespace as well, where the zygote is
    root over nothing but its own mounts. Without `unshare`, as root: the zygote runs as `nobody` (if it can run
    this Python)."""
    unshare = shutil.which("unshare")
    found = []
    if unshare and root:
        found.append(Isolation((unshare, "--mount", "--net", "--ipc", "--"), (),
                               ("network, IPC and mount namespaces", "user nobody"), SANDBOX_UID))
    if unshare:  # a mount namespace is the one most often refused (it gives the minimal root, the scratch quota)
        base = (unshare, "--user", "--map-root-user", "--net", "--ipc")
        found += [Isolation((*base, "--mount", "--"), (), ("user, network, IPC and mount namespaces",)),
                  Isolation((*base, "--"), (), ("user, network and IPC namespaces",))]
    if root:
        found.append(Isolation((), (("user", SANDBOX_UID), ("group", SANDBOX_UID), ("extra_groups", [])),
                               ("user nobody",)))
    return found


@lru_cache(maxsize=1)
def isolation() -> Isolation:
    """Probe once per process for the strongest way to start the zygote that can still run this Python."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    for candidate in _candidates(root):
        if _works(candidate.prefix, dict(candidate.popen)):
            return candidate
    return Isolation()


def sandbox_level(requested: str | None = None) -> str:
    """The sandbox level to use: `requested`, else the TOOLGYM_SANDBOX variable, else 'strict'."""
    level = requested or os.environ.get(SANDBOX_ENV) or "strict"
    if level not in SANDBOX_LEVELS:
        raise ValueError(f"sandbox must be one of {', '.join(map(repr, SANDBOX_LEVELS))}, got {level!r} "
                         f"(from {'the argument' if requested else SANDBOX_ENV})")
    return level


def refusal(level: str) -> str | None:
    """Why untrusted code cannot run at `level` on this machine (None: it can)."""
    if level != "strict" or (reason := _confine.support()) is None:
        return None
    return (f"refusing to run untrusted tool code: {reason}, so the sandbox cannot be enforced by the kernel. "
            f"Run on a Linux x86_64 kernel with Landlock and seccomp, or opt into the weaker sandbox (rlimits, "
            f"namespaces and an audit hook) with SandboxExecutor(..., sandbox='weak') or {SANDBOX_ENV}=weak")


# --- the zygote ------------------------------------------------------------------------------------------------------

class _Zygote:
    """The process that forks sandbox children; its control socket is used under a lock."""

    def __init__(self, pool_dir: str, memory_mb: int | None, scratch_mb: int) -> None:
        iso = isolation()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = json.dumps({"pool_dir": pool_dir, "memory_mb": memory_mb, "scratch_mb": scratch_mb,
                             "uid": iso.uid, "pretend": _confine.PRETEND})
        self.uid = iso.uid
        try:
            self.proc = subprocess.Popen([*iso.prefix, sys.executable, "-I", str(WORKER_SCRIPT), config],
                                         stdin=theirs.fileno(), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, env={"LC_ALL": "C.UTF-8"}, cwd=pool_dir,
                                         close_fds=True, start_new_session=True, **dict(iso.popen))
        finally:
            theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        hello, _ = self._receive(STARTUP_TIMEOUT_S)
        if hello.get("ready") is not True:
            self.close()
            raise SandboxError(f"the sandbox zygote failed to start: unexpected greeting {hello!r}")
        self.scratch_limited = hello.get("scratch_limited") is True
        self.root_problem: str | None = hello.get("root")  # why there is no minimal root (None: there is one)
        self.asked = False  # a spawn request is out, its answer not read yet
        self.stash: tuple[dict[str, Any], list[int]] | None = None  # an answer read before its turn
        self._ask_for_child()

    def _receive(self, timeout: float) -> tuple[dict[str, Any], list[int]]:
        if not select.select([self.sock], [], [], timeout)[0]:
            self.close()
            raise SandboxError(f"the sandbox zygote did not answer within {timeout:g} s")
        data, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, 2)
        if not data:
            self.close()
            raise SandboxError("the sandbox zygote exited (out of memory or processes?)")
        return json.loads(data), fds

    def spawn(self) -> tuple[int, int, socket.socket]:
        """A confined child (forked ahead, waiting): its id (for `reap`), a pidfd for it, our end of its channel.
        The request for it went out at the previous spawn, so its answer is usually waiting: a reset does not wait
        for the zygote to be scheduled."""
        with self.lock:
            if self.stash is not None:
                (reply, fds), self.stash = self.stash, None
            else:
                if not self.asked:
                    self._ask_for_child()
                self.asked = False
                reply, fds = self._receive(STARTUP_TIMEOUT_S)
            self._ask_for_child()
        if "error" in reply or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise SandboxError(reply.get("error", "the sandbox zygote sent no child"))
        return int(reply["id"]), fds[1], socket.socket(fileno=fds[0])

    def reap(self, child: int, *, status: bool = True) -> int | None:
        """Let the zygote wait for a child the caller has killed and delete its files; its wait status (with
        `status=False` the caller does not wait for that)."""
        message = json.dumps({"op": "reap" if status else "release", "id": child}).encode()
        with self.lock:
            self.sock.send(message)
            if not status:
                return None
            if self.asked:  # the zygote answers in order: that spawn's answer comes first
                self.stash, self.asked = self._receive(STARTUP_TIMEOUT_S), False
            return self._receive(STARTUP_TIMEOUT_S)[0].get("status")

    def _ask_for_child(self) -> None:
        try:
            self.sock.send(b'{"op": "spawn"}')
            self.asked = True
        except OSError:  # the zygote is gone: the next spawn finds out and starts another
            self.asked = False

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None and self.sock.fileno() >= 0

    def close(self) -> None:
        if self.stash is not None:
            for fd in self.stash[1]:
                os.close(fd)
            self.stash = None
        self.sock.close()  # the zygote exits at end of file; its children die with it (PR_SET_PDEATHSIG)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- one child: one episode ------------------------------------------------------------------------------------------

class _Child:
    """One confined process serving one executor's calls; used under the executor's lock. Started when its
    executor is made (the episode's reset): the zygote hands over a child it forked ahead, which is told the
    task's tools at once and prepares them (schemas, bytecode) while the model writes its first turn; its greeting
    is read, and checked, at the first call."""

    def __init__(self, zygote: _Zygote, strict: bool, setup: dict[str, Any]) -> None:
        self.zygote = zygote
        self.strict = strict
        self.id, self.pidfd, self.sock = zygote.spawn()
        self.buffer = bytearray()
        self.calls = 0   # replies received (a reply's id is its position in the episode)
        self.sent = 0    # requests sent
        self.status: int | None = None
        self.confinement: tuple[str, ...] | None = None  # None until the greeting is read
        try:
            write_all(self.sock.fileno(), frame(setup))
        except OSError as e:
            self.kill()
            raise SandboxError(f"a sandbox process failed to start: {e}") from None

    def _greeted(self) -> None:
        """Read and check the child's greeting (sent once it has confined itself), once."""
        if self.confinement is not None:
            return
        try:
            hello = self._receive(time.monotonic() + STARTUP_TIMEOUT_S)
        except (OSError, _Lost) as e:
            self.kill()
            raise SandboxError(f"a sandbox process failed to start: {getattr(e, 'detail', e)}") from None
        self.confinement = tuple(hello.get("confinement") or ())
        required = (*STRICT_STEPS, *(("unprivileged user",) if self.zygote.uid is not None else ()))
        missing = [step for step in required if step not in self.confinement]
        if self.strict and missing:
            self.kill()
            why = "; ".join(f"{step}: {(hello.get('failed') or {}).get(step, 'not applied')}" for step in missing)
            raise SandboxError(f"the sandbox process could not confine itself ({why}); opt into the weaker "
                               f"sandbox with sandbox='weak' or {SANDBOX_ENV}=weak")

    def send(self, calls: list[tuple[str, str]], cpu_s: float | None) -> int:
        """Send the first of `calls` (name, arguments), at least one and as many as fit in `BATCH_BYTES`, in one
        write: the child runs them in order, replying to each. How many were sent. Raises `SandboxError` (the
        child could not confine itself) or `_Lost`."""
        self._greeted()
        frames: list[bytes] = []
        size = 0
        for name, arguments in calls:
            frames.append(frame({"id": self.sent + len(frames) + 1, "name": name, "args": arguments, "cpu_s": cpu_s}))
            size += len(frames[-1])
            if size > BATCH_BYTES and len(frames) > 1:
                frames.pop()
                break
        data = b"".join(frames)
        self.sent += len(frames)
        try:
            write_all(self.sock.fileno(), data)
        except OSError:
            raise self.lost() from None
        return len(frames)

    def reply(self, deadline: float | None) -> dict[str, Any]:
        """The next call's reply, checked: the right id, and nothing after the last call sent. Raises `_Lost`."""
        self.calls += 1
        reply = self._receive(deadline)
        if reply.keys() - _REPLY_KEYS or reply.get("id") != self.calls or (self.calls == self.sent and self.buffer):
            raise _Lost("crashed", "the sandbox process broke the protocol (a forged or extra reply)")
        return reply

    def _receive(self, deadline: float | None) -> dict[str, Any]:
        size = HEADER.unpack(self._read(HEADER.size, deadline))[0]
        if size > MAX_RESPONSE_BYTES:
            raise _Lost("output", f"the tool's result is larger than {MAX_RESPONSE_BYTES >> 20} MB")
        try:
            message = json.loads(self._read(size, deadline))
        except (ValueError, RecursionError):  # malformed, or nested deeper than the parser's recursion limit
            raise _Lost("crashed", "the sandbox process sent an unreadable reply") from None
        if not isinstance(message, dict):
            raise _Lost("crashed", "the sandbox process sent an unreadable reply")
        return message

    def _read(self, n: int, deadline: float | None) -> bytes:
        """`n` bytes from the child; reads ahead in large chunks so a reply usually costs one read."""
        fd = self.sock.fileno()
        while len(self.buffer) < n:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                    raise _Lost("timeout", "")
            try:
                chunk = os.read(fd, max(READ_CHUNK, n - len(self.buffer)))
            except OSError:
                chunk = b""
            if not chunk:
                raise self.lost()
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return bytes(data)

    def __del__(self) -> None:
        """Dropped without `kill()` (its executor was never closed): closing the socket ends the child (end of
        file), and the zygote reaps it at its next spawn."""
        if getattr(self, "pidfd", -1) >= 0:
            os.close(self.pidfd)

    @property
    def alive(self) -> bool:
        """False once killed (by its executor, or by the pool's `close()`)."""
        return self.pidfd >= 0

    def lost(self) -> _Lost:
        """Why the child is gone, from its exit status (it gets `EXIT_GRACE_S` to finish exiting)."""
        if self.alive:
            select.select([self.pidfd], [], [], EXIT_GRACE_S)  # a pidfd is readable once its process has exited
        status = self.kill()
        if status is None:
            return _Lost("crashed", "the sandbox process stopped answering")
        code = os.waitstatus_to_exitcode(status)
        if code == -signal.SIGXCPU:
            return _Lost("cpu", "")
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return _Lost("crashed", f"the tool crashed its sandbox process (signal {name}; e.g. unbounded "
                                    "recursion in C code)")
        return _Lost("crashed", f"the tool ended its sandbox process (exit code {code})")

    def kill(self, *, status: bool = True) -> int | None:
        """SIGKILL the child (through its pidfd: never another process) and have it reaped; its wait status
        (None with `status=False`: then nobody waits for the zygote's answer). Idempotent."""
        if self.pidfd >= 0:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            try:
                self.status = self.zygote.reap(self.id, status=status)
            except (OSError, SandboxError):
                self.status = None
            os.close(self.pidfd)
            self.pidfd = -1
            self.sock.close()
        return self.status


# --- the pool --------------------------------------------------------------------------------------------------------

class WorkerPool:
    """A zygote that starts one sandbox process per episode, and a bound of `size` calls running at once.

    `memory_mb` caps the address space each tool may add (None: no cap); `scratch_mb` caps what all of the pool's
    sandbox processes together may write (a private tmpfs, where a mount namespace can be made; see
    `scratch_limited`). Thread-safe; after a fork the child process starts its own zygote. `close()` stops every
    sandbox process; the pool restarts if used again.

    >>> pool = WorkerPool(2)
    >>> pool.size, pool.started
    (2, 0)
    >>> pool.close()
    """

    def __init__(self, size: int = DEFAULT_POOL_SIZE, *, memory_mb: int | None = DEFAULT_MEMORY_MB,
                 scratch_mb: int = DEFAULT_SCRATCH_MB) -> None:
        if scratch_mb < 1:
            raise ValueError(f"scratch_mb must be at least 1, got {scratch_mb}")
        if size < 1:
            raise ValueError(f"a worker pool needs at least one worker, got size={size}")
        if memory_mb is not None and memory_mb < 16:
            raise ValueError(f"memory_mb must be at least 16, got {memory_mb}")
        self.size = size
        self.memory_mb = memory_mb
        self.scratch_mb = scratch_mb
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.size)
        self._zygote: _Zygote | None = None
        self._dir: str | None = None
        self._children: weakref.WeakSet[_Child] = weakref.WeakSet()  # an executor dropped unclosed lets go

    @property
    def scratch_limited(self) -> bool:
        """Whether `scratch_mb` is enforced (False before the pool starts, or without a mount namespace)."""
        return self._zygote is not None and self._zygote.scratch_limited

    @property
    def started(self) -> int:
        """Sandbox processes (episodes) currently running."""
        return len(self._children) if self._pid == os.getpid() else 0

    def spawn(self, setup: dict[str, Any], strict: bool) -> _Child:
        """A new sandbox process for one episode, told its task's tools by `setup`."""
        try:
            child = _Child(self._live_zygote(), strict, setup)
        except SandboxError:
            if self._zygote is not None and self._zygote.alive:
                raise
            child = _Child(self._live_zygote(), strict, setup)  # it died meanwhile: once more
        with self._lock:
            self._children.add(child)
        return child

    def _live_zygote(self) -> _Zygote:
        with self._lock:
            if self._pid != os.getpid():  # forked: the zygote belongs to the parent process
                self._reset()
            if self._zygote is None or not self._zygote.alive:
                self._start_zygote()
            return self._zygote  # type: ignore[return-value]

    def _start_zygote(self) -> None:
        if self._dir is None:
            memory_fs = SCRATCH_PARENT if os.access(SCRATCH_PARENT, os.W_OK | os.X_OK) else None
            self._dir = tempfile.mkdtemp(prefix="toolgym-sandbox-", dir=memory_fs)
            if "user" in dict(isolation().popen):
                os.chown(self._dir, SANDBOX_UID, SANDBOX_UID)
            elif isolation().uid is not None:  # children become nobody: they must reach their own directories
                os.chmod(self._dir, 0o711)
        self._zygote = _Zygote(self._dir, self.memory_mb, self.scratch_mb)

    def discard(self, child: _Child) -> None:
        """Kill a child and forget it (its reaping goes on in the zygote)."""
        child.kill(status=False)
        with self._lock:
            self._children.discard(child)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the `size` slots for a running call."""
        with self._slots:
            yield

    def close(self) -> None:
        """Stop every sandbox process and the zygote, delete their files. Idempotent."""
        with self._lock:
            if self._pid != os.getpid():
                self._reset()
                return
            children, zygote, directory = list(self._children), self._zygote, self._dir
            self._children, self._zygote, self._dir = weakref.WeakSet(), None, None
        for child in children:
            child.kill()
        if zygote is not None:
            zygote.close()
        if directory is not None:
            with contextlib.suppress(OSError):
                remove_tree(directory)

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


# --- the executor ----------------------------------------------------------------------------------------------------


class SandboxExecutor:
    """Runs the tools of one task, for one episode, in one kernel-confined process (see the module docstring).

    `timeout`: wall-clock seconds per call (None: none); `cpu_s`: CPU seconds per call (default: `timeout`, or
    none); `memory_mb`: address space a tool may add (default `DEFAULT_MEMORY_MB`); `pool`: the zygote to use
    (default: the process-wide `shared_pool` for that memory limit); `ftrl=True`: run calls the FTRL
    reference's way (`toolgym.execution.ftrl`: no schema check, the reference's rendering and error wording);
    `sandbox`: 'strict' (default, or the
    TOOLGYM_SANDBOX variable) refuses to run without Landlock (ABI >= 3) and seccomp, 'weak' runs without them.
    The process is taken from the pool when the executor is made (the episode's reset) and killed by `close()`;
    a later call starts a fresh one.

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
                 cpu_s: float | None = None, pool: WorkerPool | None = None, ftrl: bool = False,
                 sandbox: str | None = None) -> None:
        for label, value in (("timeout", timeout), ("cpu_s", cpu_s)):
            if value is not None and not value > 0:
                raise ValueError(f"{label} must be a positive number of seconds or None, got {value!r}")
        if pool is not None and memory_mb is not None and memory_mb != pool.memory_mb:
            raise ValueError(f"memory_mb={memory_mb} differs from the given pool's limit ({pool.memory_mb}); the "
                             "memory limit belongs to the pool: make a WorkerPool(memory_mb=...)")
        self.sandbox = sandbox_level(sandbox)
        if (reason := refusal(self.sandbox)) is not None:
            raise SandboxError(reason)
        self.task = task
        self.timeout = timeout
        self.cpu_s = cpu_s if cpu_s is not None else timeout
        self.memory_mb = pool.memory_mb if pool is not None else (memory_mb or DEFAULT_MEMORY_MB)
        self.ftrl = ftrl
        self._pool = pool
        self._child: _Child | None = None
        self._owner = os.getpid()
        self._lock = threading.Lock()
        self._live_child()  # now, at the episode's reset: the process gets ready while the model writes

    @property
    def pool(self) -> WorkerPool:
        if self._pool is None:
            self._pool = shared_pool(self.memory_mb)
        return self._pool

    def run(self, call: ToolCall) -> ToolResult:
        """Run the call in this episode's sandbox process (arguments are checked there); never raises for a bad
        call."""
        return self.run_turn([call])[0]

    def run_turn(self, calls: Sequence[ToolCall]) -> list[ToolResult]:
        """Run a turn's calls in order, as `run` would one by one, in one round trip: they are sent together
        (up to `BATCH_BYTES`) and the process replies to each as it finishes; each call has its own time limits.
        A call that loses the process (timeout, crash) gets its error and the calls after it run in a fresh
        one, as they would have one by one."""
        names = [spec.name for spec in self.task.tools]
        results: list[ToolResult | None] = [None if c.name in names else unknown_tool(c.name, names) for c in calls]
        todo = [i for i, result in enumerate(results) if result is None]
        with self._lock:
            while todo:
                done = self._remote([calls[i] for i in todo])
                for i, result in zip(todo, done):
                    results[i] = result
                todo = todo[len(done):]
        return results  # type: ignore[return-value]

    def _live_child(self) -> _Child:
        if self._child is not None and (self._owner != os.getpid() or not self._child.alive):
            self._child = None  # forked (that process is the parent's), or stopped by the pool's close()
        if self._child is None:
            self._child = self.pool.spawn(self._setup(), strict=self.sandbox == "strict")
            self._owner = os.getpid()
        return self._child

    def _remote(self, calls: list[ToolCall]) -> list[ToolResult]:
        """Results of the first calls of `calls` (at least one) that one process ran: all of those sent, or up to
        the one that lost it or made it retire."""
        child = self._live_child()
        batch = calls[:1]
        results: list[ToolResult] = []
        with self.pool.slot():
            try:
                batch = calls[:child.send([(call.name, call.arguments) for call in calls], self.cpu_s)]
                for call in batch:
                    deadline = None if self.timeout is None else time.monotonic() + self.timeout
                    result, keep = self._result(call.name, child.reply(deadline))
                    results.append(result)
                    if not keep:
                        self._discard()
                        break
            except _Lost as e:
                self._discard()
                results.append(ToolResult(error_message(batch[len(results)].name, self._explain(e)), e.kind))
        return results

    @staticmethod
    def _result(name: str, reply: dict[str, Any]) -> tuple[ToolResult, bool]:
        """The call's result, and whether its process may serve the next call (not after a MemoryError: the tool
        may still hold the memory; never after an unreadable reply)."""
        content, error = reply.get("content"), reply.get("error")
        if not isinstance(content, str) or error not in _ERROR_KINDS:
            return ToolResult(error_message(name, "the sandbox process sent an unreadable reply"), "crashed"), False
        return ToolResult(content, error), reply.get("retire") is not True

    def _setup(self) -> dict[str, Any]:
        tools = {spec.name: {"source": self.task.code.get(spec.name, ""), "schema": spec.function.parameters}
                 for spec in self.task.tools}
        return {"tools": tools, "ftrl": self.ftrl, "cpu_s": self.cpu_s}

    def _discard(self) -> None:
        if self._child is not None and self._owner == os.getpid():
            self.pool.discard(self._child)
            self._child = None

    def _explain(self, lost: _Lost) -> str:
        if lost.kind == "timeout":
            return f"the call timed out after {self.timeout:g} s (wall-clock limit)"
        if lost.kind == "cpu":
            return f"the call exceeded the CPU time limit of {self.cpu_s:g} s"
        return lost.detail

    @property
    def confinement(self) -> tuple[str, ...]:
        """What the running sandbox process applied (empty before the first call)."""
        return (self._child.confinement or ()) if self._child is not None else ()

    def close(self) -> None:
        """Kill this episode's sandbox process and delete its files. Idempotent; a later call starts afresh."""
        with self._lock:
            self._discard()

    def __getstate__(self) -> dict[str, Any]:
        return {"task": self.task, "timeout": self.timeout, "cpu_s": self.cpu_s, "memory_mb": self.memory_mb,
                "ftrl": self.ftrl, "sandbox": self.sandbox}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.task, self.timeout, self.cpu_s = state["task"], state["timeout"], state["cpu_s"]
        self.memory_mb, self.ftrl = state["memory_mb"], state.get("ftrl", False)
        self.sandbox = state["sandbox"]
        self._pool, self._child, self._lock, self._owner = None, None, threading.Lock(), os.getpid()

    def __repr__(self) -> str:
        return (f"SandboxExecutor(task={self.task.id!r}, timeout={self.timeout!r}, cpu_s={self.cpu_s!r}, "
                f"memory_mb={self.memory_mb!r}, sandbox={self.sandbox!r})")

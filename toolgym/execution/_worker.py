"""The sandbox's processes: a zygote that forks one confined child per episode, and that child's request loop.

The zygote is started by `toolgym.execution.sandbox` as `python -I <this file> <config JSON>` (in fresh user,
network and IPC namespaces when the machine allows), with a SOCK_SEQPACKET control socket as descriptor 0. It
imports what children need (the standard library modules tool code commonly uses, toolgym's argument validation
and rendering, loaded by path without the package's heavy imports) and never runs tool code itself. It keeps
one child forked ahead, with a fresh scratch directory, so that a `spawn` finds it waiting. The child confines
itself *before* reading anything of the task: it keeps only its channel socket, empties its environment, sets
rlimits, PR_SET_NO_NEW_PRIVS, drops every capability, applies Landlock and a seccomp allow-list (`_confine`),
then installs the audit hook (readable errors for common attempts; not the boundary). The zygote hands the parent
the child's channel and a pidfd (so the parent can kill exactly it), forks the next one, and on `reap` reports
the child's exit status and deletes its scratch directory.

Control (parent <-> zygote, one JSON message per datagram):
  {"op": "spawn"}  ->  {"id": int, "pid": int} + the parent's end of the child's channel + a pidfd
                       (the child was forked ahead, after the previous spawn, and waits confined)
  {"op": "reap", "id": int}  ->  {"status": wait status}   (the parent has killed the child)
  {"op": "release", "id": int}  (no answer: the same, when the parent does not need the status; the zygote
                                 waits for it without blocking, at its next request or when idle)
Channel (parent <-> child, length-prefixed JSON, never pickle):
  child: {"ready": true, "confinement": [steps applied], "failed": {step: why}}
  parent: {"tools": {name: {"source": str, "schema": object}}, "ftrl": bool}
  parent: {"id": int, "name": str, "args": JSON text, "cpu_s": number|null}
  child:  {"id": int, "content": str, "error": kind|null, "retire": true when the process should be replaced}
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import importlib
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import tempfile
import types
from pathlib import Path

HEADER = struct.Struct("!I")  # the byte length of the JSON message that follows
FILE_SIZE_LIMIT = 16 << 20    # bytes a tool may write to one scratch file
OPEN_FILES_LIMIT = 64
CONTROL_MESSAGE_LIMIT = 1 << 16
STATUS_MEMORY = 1024          # exit statuses of children nobody asked about yet, kept by the zygote
COLLECT_INTERVAL_S = 0.02     # how often an idle zygote looks for released children that have exited
PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the toolgym package directory
# Loaded in the zygote, so a child needs no file access to use them.
PRELOADED = ("math", "cmath", "datetime", "re", "random", "statistics", "collections", "itertools", "functools",
             "decimal", "fractions", "string", "hashlib", "copy", "typing", "dataclasses", "enum", "json",
             "operator", "bisect", "heapq", "textwrap", "unicodedata", "calendar", "time", "uuid", "base64",
             "struct", "csv", "io", "zoneinfo", "sqlite3", "shutil", "tempfile", "pathlib")

# Audit events a tool may never raise, with the words its error message uses.
FORBIDDEN_EVENTS = {
    "os.fork": "starting a process (os.fork)", "os.forkpty": "starting a process (os.forkpty)",
    "os.system": "running a shell command (os.system)", "os.exec": "running a program (os.exec*)",
    "os.posix_spawn": "starting a process (os.posix_spawn)", "os.spawn": "starting a process (os.spawn*)",
    "subprocess.Popen": "starting a process (subprocess)", "pty.spawn": "starting a process (pty.spawn)",
    "os.kill": "sending a signal (os.kill)", "os.killpg": "sending a signal (os.killpg)",
    "signal.pthread_kill": "sending a signal", "_thread.start_new_thread": "starting a thread",
    "socket.__new__": "opening a socket (network access)",
    "socket.connect": "network access (socket.connect)", "socket.bind": "network access (socket.bind)",
    "socket.getaddrinfo": "network access (DNS lookup)", "socket.gethostbyname": "network access (DNS lookup)",
    "urllib.Request": "network access (urllib)", "ctypes.dlopen": "loading native code (ctypes)",
    "ctypes.dlsym": "loading native code (ctypes)", "ctypes.call_function": "calling native code (ctypes)",
    "resource.setrlimit": "changing resource limits", "resource.prlimit": "changing resource limits",
    "os.putenv": "changing the environment", "os.unsetenv": "changing the environment",
    "os.chdir": "changing directory", "os.setuid": "changing user", "sys.addaudithook": "adding an audit hook",
    "os.remove": None, "os.rename": None, "os.rmdir": None, "os.mkdir": None, "os.symlink": None, "os.link": None,
    "os.chmod": None, "os.chown": None, "os.truncate": None, "os.utime": None, "shutil.rmtree": None,
}
FORBIDDEN_IMPORTS = {"ctypes": "loading native code (ctypes)", "_ctypes": "loading native code (ctypes)",
                     "cffi": "loading native code (cffi)", "_posixsubprocess": "starting a process (subprocess)",
                     "multiprocessing": "starting a process (multiprocessing)"}
# Events whose first argument is a path; allowed inside the scratch directory only (None entries above).
_PATH_EVENTS = {name for name, words in FORBIDDEN_EVENTS.items() if words is None}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_NATIVE_MODULES = ("ctypes", "_ctypes", "toolgym.execution._confine")


class Forbidden(BaseException):
    """Raised into tool code by the audit hook. A BaseException, so `except Exception` cannot swallow it."""


class Guard:
    """The audit hook's state: where reads and writes may go, and the first violation of the current call. A
    friendly layer that names common attempts in the tool's error; the kernel (Landlock, seccomp) is the boundary."""

    def __init__(self, scratch: str, readable: list[str]) -> None:
        self.scratch = scratch
        self.readable = tuple(readable)
        self.internal = False  # True while the episode loop itself changes limits or scratch directories
        self.violation: str | None = None

    def __call__(self, event: str, args: tuple) -> None:
        if self.internal:
            return
        if event == "open":
            self._check_open(args)
        elif event == "import":
            if (words := FORBIDDEN_IMPORTS.get(args[0].partition(".")[0])) is not None:
                self._deny(words)
        elif event in FORBIDDEN_EVENTS:
            if event in _PATH_EVENTS:
                if args and isinstance(args[0], (str, bytes, os.PathLike)) and self._inside(args[0], (self.scratch,)):
                    return
                self._deny(f"changing files outside the scratch directory ({event})")
            self._deny(FORBIDDEN_EVENTS[event])

    def _check_open(self, args: tuple) -> None:
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if path is None or isinstance(path, int):  # an already open descriptor
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS)
        allowed = (self.scratch,) if writing else (self.scratch, *self.readable)
        if not self._inside(path, allowed):
            self._deny(f"{'writing' if writing else 'reading'} a file outside the scratch directory")

    @staticmethod
    def _inside(path: object, roots: tuple[str, ...]) -> bool:
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == root or real.startswith(root.rstrip("/") + "/") for root in roots)

    def _deny(self, what: str) -> None:
        if self.violation is None:
            self.violation = what
        raise Forbidden(what)


# --- helpers shared with the parent -----------------------------------------------------------------------------------

def remove_tree(root: str, *, keep_root: bool = False) -> None:
    """Delete `root` (or only its contents) and everything in it, whatever a tool left there: never follows a
    symlink, never recurses (a directory chain may be deeper than any recursion or path length limit:
    sub-directories are moved up to `root` and emptied there), and makes directories the tool locked (mode 000)
    readable again."""
    try:
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return
    counter = 0
    try:
        while names := os.listdir(top):
            for name in names:
                counter = _empty_entry(top, name, counter)
    finally:
        os.close(top)
    if not keep_root:
        os.rmdir(root)


def _empty_entry(top: int, name: str, counter: int) -> int:
    """Remove `name` (in directory `top`): a file at once; a directory after moving its sub-directories up."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
    except NotADirectoryError:
        os.unlink(name, dir_fd=top)
        return counter
    except PermissionError:
        os.chmod(name, 0o700, dir_fd=top, follow_symlinks=False)
        return counter
    except OSError as e:
        if e.errno == 40:  # ELOOP: a symlink (O_NOFOLLOW)
            os.unlink(name, dir_fd=top)
            return counter
        raise
    try:
        os.fchmod(fd, 0o700)
        for child in os.listdir(fd):
            if _is_dir(fd, child):
                counter = _move_up(fd, child, top, counter)
            else:
                os.unlink(child, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=top)
    return counter


def _is_dir(fd: int, name: str) -> bool:
    import stat
    return stat.S_ISDIR(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)


def _move_up(fd: int, name: str, top: int, counter: int) -> int:
    """Move directory `name` from `fd` into `top` under a fresh name; the new counter."""
    while True:
        counter += 1
        try:
            os.rename(name, f".removing-{counter}", src_dir_fd=fd, dst_dir_fd=top)
            return counter
        except OSError as e:
            if e.errno not in (17, 20, 21, 39):  # EEXIST, ENOTDIR, EISDIR, ENOTEMPTY: the name is taken
                raise


def read_frame(fd: int, pending: bytearray) -> dict | None:
    """The next length-prefixed JSON message on `fd` (None at end of file)."""
    head = _read_exact(fd, HEADER.size, pending)
    if head is None:
        return None
    body = _read_exact(fd, HEADER.unpack(head)[0], pending)
    return None if body is None else json.loads(body)


def _read_exact(fd: int, n: int, pending: bytearray) -> bytes | None:
    while len(pending) < n:
        chunk = os.read(fd, max(1 << 16, n - len(pending)))
        if not chunk:
            return None
        pending.extend(chunk)
    data = bytes(pending[:n])
    del pending[:n]
    return data


def frame(message: dict) -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# --- the zygote ---------------------------------------------------------------------------------------------------

def _load_toolgym() -> dict[str, types.ModuleType]:
    """toolgym's argument checks and rendering, loaded without running `toolgym/__init__.py` (which imports
    gymnasium and numpy): its packages are stand-ins whose `__path__` points at the sources."""
    for package in ("toolgym", "toolgym.models", "toolgym.execution"):
        stub = types.ModuleType(package)
        stub.__path__ = [str(PACKAGE_ROOT.joinpath(*package.split(".")[1:]))]  # type: ignore[attr-defined]
        sys.modules[package] = stub
    names = ("render", "arguments", "validation", "ftrl", "_confine")
    modules = {name: importlib.import_module(f"toolgym.execution.{name}") for name in names}
    modules["calls"] = importlib.import_module("toolgym.models.calls")
    # warm jsonschema's lazy parts (format checkers, meta-schemas) here, not under Landlock in every child
    modules["validation"].compile_validator(
        {"type": "object", "properties": {"s": {"type": "string", "pattern": "^a", "format": "date"}},
         "patternProperties": {"^x": {"minLength": 1}}, "not": {"required": ["z"]}}).check({"s": 1})
    return modules


class Zygote:
    """Forks a confined child per `spawn`; reports its exit status and removes its scratch on `reap`."""

    def __init__(self, control: socket.socket, config: dict, modules: dict[str, types.ModuleType],
                 readable: list[str], statm: int | None, root: str | None) -> None:
        self.control = control
        self.pool_dir = config["pool_dir"]
        self.memory_mb = config["memory_mb"]
        self.uid: int | None = config.get("uid")  # the children's user when the trainer is root
        self.spare: tuple[int, int] | None = None  # (child id, our end of its channel): forked ahead
        self.problem: str | None = None            # why the last fork failed
        self.modules = modules
        self.readable = readable
        self.statm = statm  # /proc/self/statm, opened before /proc went out of sight
        self.root = root    # why there is no minimal root (None: there is one)
        self.children: dict[int, tuple[int, str]] = {}  # child id -> (pid, scratch), until waited for
        self.statuses: dict[int, int] = {}  # child id -> wait status, for children that exited on their own
        self.released: set[int] = set()     # children the parent killed and needs no status of, not yet waited for
        self.next_id = 0

    def serve(self, scratch_limited: bool) -> None:
        gc.collect()
        gc.freeze()  # what we imported is never collected: a child's collections skip it, copying fewer pages
        self.control.send(json.dumps({"ready": True, "pid": os.getpid(), "scratch_limited": scratch_limited,
                                      "root": self.root}).encode())
        self._prepare()
        while True:
            if self.released and not select.select([self.control], [], [], COLLECT_INTERVAL_S)[0]:
                self._collect()  # idle: wait for released children now rather than at the next spawn
                continue
            data = self.control.recv(CONTROL_MESSAGE_LIMIT)
            if not data:
                return
            request = json.loads(data)
            if request["op"] == "spawn":
                self._hand_over()
            elif request["op"] == "reap":
                self.control.send(json.dumps({"status": self._reap(request["id"])}).encode())
            elif request["op"] == "release":
                self.statuses.pop(request["id"], None)  # it exited before the parent killed it
                if request["id"] in self.children:
                    self.released.add(request["id"])  # killed by the parent; waited for without blocking
                    self._collect()

    def _hand_over(self) -> None:
        """Give the parent the waiting child (its channel and a pidfd), then fork the next one."""
        if self.spare is None:
            self._prepare()
        if self.spare is None:  # out of processes or disk: the parent reports it as a fault of the machine
            self.control.send(json.dumps({"error": f"cannot start a sandbox process: {self.problem}"}).encode())
            return
        (child, channel), self.spare = self.spare, None
        pid = self.children[child][0]
        pidfd = os.pidfd_open(pid)
        try:
            socket.send_fds(self.control, [json.dumps({"id": child, "pid": pid}).encode()], [channel, pidfd])
        finally:
            os.close(channel)
            os.close(pidfd)
        self._collect()
        self._prepare()

    def _prepare(self) -> None:
        """Fork the next child; it confines itself and waits for its task on the channel."""
        try:
            scratch = tempfile.mkdtemp(prefix="episode-", dir=self.pool_dir)
            if self.uid is not None:
                os.chown(scratch, self.uid, self.uid)
            ours, theirs = (s.detach() for s in socket.socketpair())
            mapped = _address_space(self.statm)  # the child starts as a copy of us
            pid = os.fork()
        except OSError as e:
            self.problem = str(e)
            return
        if pid == 0:
            try:
                _child(theirs, Setup(scratch, self.memory_mb, self.uid, mapped, self.root is None), self.modules,
                       self.readable)
            finally:
                os._exit(70)
        os.close(theirs)
        self.next_id += 1
        self.children[self.next_id] = (pid, scratch)
        self.spare = (self.next_id, ours)

    def _reap(self, child: int) -> int | None:
        if child in self.statuses:
            return self.statuses.pop(child)
        if child not in self.children:
            return None
        pid, scratch = self.children.pop(child)
        _, status = os.waitpid(pid, 0)
        _remove_quietly(scratch)
        return status

    def _collect(self) -> None:
        """Wait for children that exited while nobody asked (an executor dropped without `close()`), so
        neither zombies nor scratch directories pile up; keep their status for a later `reap`."""
        by_pid = {pid: child for child, (pid, _) in self.children.items()}
        while by_pid:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = by_pid.pop(pid, None)
            if child is not None:
                _remove_quietly(self.children.pop(child)[1])
                if child in self.released:
                    self.released.discard(child)
                else:
                    self.statuses[child] = status
        while len(self.statuses) > STATUS_MEMORY:
            del self.statuses[next(iter(self.statuses))]


def _remove_quietly(scratch: str) -> None:
    try:
        remove_tree(scratch)
    except Exception:  # noqa: BLE001 - left for the parent's removal of the pool directory
        pass


# --- the child: one episode -----------------------------------------------------------------------------------------

def _set_limit(which: int, value: int) -> None:
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):  # not supported here, or above a hard limit set by whoever started us
        pass


def _address_space(statm: int | None) -> int | None:
    """Bytes of address space the process of `statm` (an open /proc/<pid>/statm) maps now."""
    if statm is None:
        return None
    return int(os.pread(statm, 256, 0).split()[0]) * os.sysconf("SC_PAGE_SIZE")


@dataclasses.dataclass(frozen=True)
class Setup:
    """What the zygote tells a child it forks."""

    scratch: str                # the episode's scratch directory
    memory_mb: int | None       # address space tool code may add
    uid: int | None             # the unprivileged user to become (the trainer runs as root)
    mapped: int | None          # bytes the zygote mapped when it forked us
    minimal_root: bool          # whether `/` holds only what Python needs


def _readable_roots() -> list[str]:
    """What the child may read: Python's install and import paths, toolgym's sources, the directories of the
    shared libraries already loaded (an extension imported later may need a sibling), and /dev/null."""
    roots = {os.path.realpath(p) for p in [*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           str(PACKAGE_ROOT)] if p and os.path.exists(p)}
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split(maxsplit=5)
            path = fields[5].strip() if len(fields) == 6 else ""
            if path.startswith("/") and ".so" in path and os.path.exists(path):
                roots.add(os.path.dirname(os.path.realpath(path)))
    return sorted(roots) + ["/dev/null", "/dev/urandom"]


def _become(uid: int) -> None:
    """Drop to `uid` (and group `uid`, no supplementary groups) for good: real, effective and saved IDs."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _confine(scratch: str, confine: types.ModuleType, readable: list[str], uid: int | None,
             ) -> tuple[list[str], dict[str, str]]:
    """Apply what the kernel offers; the steps applied, and why the others failed (the parent decides whether
    that is acceptable: `sandbox="strict"` needs no_new_privs, landlock and seccomp, and the user drop when it
    asked for one)."""
    applied, failed = [], {}
    user = (("unprivileged user", lambda: _become(uid)),) if uid is not None else ()
    steps = (*user, ("no_new_privs", confine.no_new_privileges), ("capabilities dropped", confine.drop_capabilities),
             ("landlock", lambda: confine.landlock(readable, [scratch])),
             ("seccomp", lambda: confine.seccomp(os.getpid())))
    for name, step in steps:
        try:
            step()
            applied.append(name)
        except OSError as e:
            failed[name] = str(e.strerror or e)
    return applied, failed


def _child(channel: int, setup: Setup, modules: dict[str, types.ModuleType], readable: list[str]) -> None:
    """Confine this process, then serve one episode's calls on `channel` until it closes."""
    scratch, memory = setup.scratch, setup.memory_mb
    os.dup2(channel, 3)
    os.closerange(4, 1 << 16)  # keep 0-2 (/dev/null) and the channel only: no control socket, no other pidfds
    os.environ.clear()
    os.chdir(scratch)
    if memory and setup.mapped is not None:
        _set_limit(resource.RLIMIT_AS, setup.mapped + (int(memory) << 20))
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)
    _set_limit(resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT)
    _set_limit(resource.RLIMIT_NPROC, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with an OSError instead of killing us
    applied, failed = _confine(scratch, modules["_confine"], readable, setup.uid)
    modules["_confine"].parent_death_signal()  # after the user drop, which clears it
    if setup.minimal_root:
        applied.insert(0, "minimal root")
    for name in [m for m in sys.modules if m.startswith(_NATIVE_MODULES)]:
        del sys.modules[name]
    guard = Guard(os.path.realpath(scratch), readable)
    sys.addaudithook(guard)
    _forbid_threads(guard)
    write_all(3, frame({"ready": True, "confinement": applied, "failed": failed}))
    Episode(scratch, guard, modules, memory).serve()


def _forbid_threads(guard: Guard) -> None:
    """Python < 3.13 raises no audit event for starting a thread: patch the starters (seccomp refuses the clone
    anyway; this only makes the message readable)."""
    import _thread
    import threading

    def refuse(*args: object, **kwargs: object) -> None:
        guard._deny("starting a thread")

    _thread.start_new_thread = _thread.start_new = refuse  # type: ignore[attr-defined]
    if hasattr(threading, "_start_new_thread"):
        threading._start_new_thread = refuse  # type: ignore[attr-defined]


class Episode:
    """One episode's request loop: the task's tools, compiled and validated lazily, each call in a fresh
    scratch sub-directory that is deleted after the call."""

    def __init__(self, scratch: str, guard: Guard, modules: dict[str, types.ModuleType], memory_mb: int | None) -> None:
        self.scratch, self.guard, self.modules, self.memory_mb = scratch, guard, modules, memory_mb
        self.render, self.arguments = modules["render"], modules["arguments"]
        self.tools: dict[str, dict] = {}
        self.ftrl = False
        self.compiled: dict[str, tuple[object, object, str | None]] = {}
        self.prepared: dict[str, tuple[object, object, str | None]] = {}  # name -> (validator, code, problem)
        self.pending = bytearray()

    def serve(self) -> None:
        setup = read_frame(3, self.pending)
        if setup is None:
            return
        self.tools, self.ftrl = setup["tools"], setup["ftrl"]
        self._prepare(setup.get("cpu_s"))
        while (request := read_frame(3, self.pending)) is not None:
            reply = self.handle(request)
            write_all(3, frame({"id": request["id"], **reply}))
            if reply.get("retire"):  # the parent replaces us; calls it sent ahead go to the new process
                return

    def _prepare(self, cpu_s: float | None) -> None:
        """Before the first call (while the model writes its turn): check every tool's schema and compile its
        source to bytecode. Runs none of the task's code; bounded by one call's CPU time all the same."""
        self.guard.internal = True
        try:
            self._limit_cpu(cpu_s)
        finally:
            self.guard.internal = False
        for name in self.tools:
            try:
                self.prepared[name] = self._schema_and_bytecode(name)
            except Exception:  # noqa: BLE001 - e.g. MemoryError: left to the call, which reports it
                pass

    def handle(self, request: dict) -> dict:
        name = request["name"]
        call_dir = os.path.join(self.scratch, f"call-{request['id']}")
        self.guard.internal = True
        try:
            self._limit_cpu(request.get("cpu_s"))
            os.mkdir(call_dir)
            os.chdir(call_dir)
            tempfile.tempdir = call_dir  # the environment is empty and /tmp is out of reach
        finally:
            self.guard.internal = False
        self.guard.violation = None
        try:
            content, error = self._run(name, request["args"])
        except MemoryError:
            detail = f"the call exceeded the memory limit of {self.memory_mb} MB"
            content, error = self.render.error_message(name, detail), "memory"
        except BaseException as e:  # the tool's own code raised while being rendered, or the audit hook fired
            content, error = self.render.error_message(name, self.render.describe_exception(e)), "exception"
        if self.guard.violation is not None:
            detail = f"forbidden operation in the sandbox: {self.guard.violation}"
            content, error = self.render.error_message(name, detail), "forbidden"
        reply = {"content": content, "error": error}
        if error == "memory" or not self._clean(call_dir):  # the tool may keep what it took: start afresh
            gc.collect()
            reply["retire"] = True
        return reply

    def _run(self, name: str, arguments: str) -> tuple[str, str | None]:
        validator, function, problem = self._tool(name)
        call = self.modules["calls"].ToolCall(name, arguments)
        if self.ftrl:  # the reference's way: no schema check (its error wording for a non-object)
            args = self.modules["ftrl"].ftrl_arguments(call)
        else:
            args = self.arguments.admitted_arguments(call, validator)
        if isinstance(args, self.modules["calls"].ToolResult):
            return args.content, args.error
        if function is None:
            return self.render.error_message(name, str(problem)), "exception"
        ftrl = self.modules["ftrl"]
        show, explain = ((ftrl.ftrl_render, ftrl.exception_text) if self.ftrl
                         else (self.render.render, self.render.describe_exception))
        try:  # rendering inside: a value the reference's json.dumps refuses is the tool's error there too
            return show(function(**args)), None
        except MemoryError:
            raise
        except BaseException as e:  # SystemExit and KeyboardInterrupt too: a tool must not end the process
            return self.render.error_message(name, explain(e)), "exception"

    def _tool(self, name: str) -> tuple[object, object, str | None]:
        """The tool's validator and function (its module run on first use), or why it cannot be used."""
        if name not in self.compiled:
            validator, code, problem = self.prepared.pop(name, None) or self._schema_and_bytecode(name)
            function = None
            if code is not None:
                function, problem = _load(name, code)
            self.compiled[name] = (validator, function, problem)
        return self.compiled[name]

    def _schema_and_bytecode(self, name: str) -> tuple[object, object, str | None]:
        tool = self.tools.get(name, {})
        try:
            validator = self.modules["validation"].compile_validator(tool.get("schema") or {})
        except Exception as e:  # noqa: BLE001 - a schema jsonschema cannot load: the tool is unusable
            return None, None, f"tool schema cannot be used: {self.render.describe_exception(e)}"
        return (validator, *_bytecode(name, tool.get("source", "")))

    def _clean(self, call_dir: str) -> bool:
        """Empty the episode's scratch directory (the call's directory and anything the tool put beside it);
        False when that failed (the process is then replaced)."""
        self.guard.internal = True
        try:
            os.chdir(self.scratch)
            try:  # the common case, a tool that wrote nothing: two syscalls
                os.rmdir(call_dir)
                if not os.listdir(self.scratch):
                    return True
            except OSError:
                pass
            remove_tree(self.scratch, keep_root=True)
            return True
        except BaseException:  # noqa: BLE001 - whatever the tool left, the parent replaces this process
            return False
        finally:
            self.guard.internal = False

    def _limit_cpu(self, cpu_s: float | None) -> None:
        """Allow `cpu_s` more seconds of CPU from now (RLIMIT_CPU counts the process's whole life)."""
        if cpu_s is None:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + cpu_s + 0.999)
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass


def _bytecode(name: str, source: str) -> tuple[object, str | None]:
    """`source` compiled (nothing of it runs), or None and why not (as the trusted path words it)."""
    try:
        return compile(source, f"<tool {name}>", "exec"), None
    except SyntaxError as e:
        return None, f"tool code does not compile: {e.msg} (line {e.lineno})"
    except MemoryError:
        raise
    except BaseException as e:  # e.g. RecursionError: nested too deeply to compile
        return None, _load_failure(e)


def _load_failure(e: BaseException) -> str:
    return f"tool code failed to load: {type(e).__name__}: {e}" if str(e) else \
        f"tool code failed to load: {type(e).__name__}"


def _load(name: str, code: object) -> tuple[object, str | None]:
    """Run compiled tool code in a fresh module; the tool function, or None and why not."""
    module = types.ModuleType(f"toolgym_tool_{name}")
    try:
        exec(code, module.__dict__)  # type: ignore[arg-type]
    except MemoryError:
        raise
    except BaseException as e:  # a failing import or top-level statement, sys.exit included
        return None, _load_failure(e)
    function = getattr(module, name, None)
    if not callable(function):
        return None, f"tool code does not define a function named {name!r}"
    return function, None


# --- the minimal root -------------------------------------------------------------------------------------------------

def _exposed(readable: list[str]) -> list[str]:
    """The host paths the minimal root shows: what children may read, under the names Python uses (`sys.path`
    as given, which may pass through symlinks) and their real paths; none inside another."""
    literal = [os.path.abspath(p) for p in [*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix] if p]
    paths = sorted({p for p in [*literal, *readable] if p != "/" and os.path.exists(p)})
    kept: list[str] = []
    for path in paths:  # sorted: a directory comes before what is inside it
        if not any(path.startswith(parent.rstrip("/") + "/") for parent in kept):
            kept.append(path)
    return kept


def _build_root(root: str, scratch_mb: int, readable: list[str], confine: types.ModuleType) -> None:
    """Make `root` (the pool directory) a tmpfs holding read-only binds of `_exposed(readable)` at their own
    paths, and the scratch tmpfs at `root` itself; then pivot into it. What is not bound does not exist for us or
    our children: `stat`, `readlink`, `exists` of any other host path fail with ENOENT, and there is no /proc."""
    confine.mount_tmpfs(root, 1, 0o755)
    for path in _exposed(readable):
        target = root + path
        if os.path.isdir(path):
            os.makedirs(target, 0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), 0o755, exist_ok=True)
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        confine.bind_read_only(path, target)
    os.makedirs(root + root, 0o755, exist_ok=True)
    confine.mount_tmpfs(root + root, scratch_mb, 0o711)  # children reach their own directory, list none
    confine.remount_read_only(root)
    confine.pivot_into(root)


def _enter_minimal_root(config: dict, readable: list[str], confine: types.ModuleType) -> tuple[str | None, bool]:
    """Build the minimal root (see `_build_root`), else at least bound the scratch space; why there is no minimal
    root (None: there is one), and whether the scratch space is bounded."""
    root, scratch_mb = config["pool_dir"], config["scratch_mb"]
    try:
        _build_root(root, scratch_mb, readable, confine)
        return None, True
    except OSError as e:  # no mount namespace of our own (or no pivot_root here): undo, keep what works
        problem = str(e.strerror or e)
        with contextlib.suppress(OSError):
            confine.detach(root)
        os.chdir(root)
    try:  # in our own mount namespace: all scratch directories share one bounded tmpfs
        confine.mount_tmpfs(root, scratch_mb, 0o711)
        os.chdir(root)
        return problem, True
    except OSError:
        return problem, False


def main() -> None:
    config = json.loads(sys.argv[1])
    control = socket.socket(fileno=os.dup(0))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # a tool's print() or input() must not touch any protocol
        os.dup2(null, fd)
    os.close(null)
    modules = _load_toolgym()
    modules["_confine"].PRETEND = config.get("pretend") or {}
    for module in PRELOADED:
        __import__(module)
    os.umask(0o022)
    readable = _readable_roots()  # reads /proc/self/maps: before /proc goes out of sight
    try:
        statm: int | None = os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:
        statm = None
    root, scratch_limited = _enter_minimal_root(config, readable, modules["_confine"])
    Zygote(control, config, modules, readable, statm, root).serve(scratch_limited)


if __name__ == "__main__":
    main()

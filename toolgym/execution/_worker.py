"""The sandbox worker: a separate Python process that runs untrusted tool code, one call at a time.

Started by `toolgym.execution.sandbox` as `python -I <this file> <config JSON>` with a scrubbed environment, in a
scratch directory. It imports only the standard library (and toolgym's `render` module with what it needs, loaded
by path without the package's heavy imports, so results render exactly as on the trusted path), then locks itself
down: resource limits, an audit hook, no network or child processes. It speaks length-prefixed JSON on private
copies of stdin/stdout (never pickle: the parent must not trust what a worker sends); 0, 1 and 2 point at
/dev/null, so a tool's print() cannot corrupt the protocol.

Request:  {"key": str, "name": str, "args": JSON text, "source": str (only when asked for), "cpu_s": number}
Response: {"content": str, "error": kind or null, "retire": true when the worker should be replaced} or
          {"need_source": true}
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import resource
import signal
import struct
import sys
import types
from collections import OrderedDict
from pathlib import Path

HEADER = struct.Struct("!I")  # the byte length of the JSON message that follows
MODULE_CACHE = 64             # compiled tools kept per worker
FILE_SIZE_LIMIT = 16 << 20    # bytes a tool may write to one scratch file
OPEN_FILES_LIMIT = 64

# Audit events a tool may never raise, with the words its error message uses.
FORBIDDEN_EVENTS = {
    "os.fork": "starting a process (os.fork)", "os.forkpty": "starting a process (os.forkpty)",
    "os.system": "running a shell command (os.system)", "os.exec": "running a program (os.exec*)",
    "os.posix_spawn": "starting a process (os.posix_spawn)", "os.spawn": "starting a process (os.spawn*)",
    "subprocess.Popen": "starting a process (subprocess)", "pty.spawn": "starting a process (pty.spawn)",
    "os.kill": "sending a signal (os.kill)", "os.killpg": "sending a signal (os.killpg)",
    "signal.pthread_kill": "sending a signal", "_thread.start_new_thread": "starting a thread", "socket.__new__": "opening a socket (network access)",
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
_channel = {"in": 0, "out": 1}  # the request and response descriptors, moved off 0/1 at start-up


class Forbidden(BaseException):
    """Raised into tool code by the audit hook. A BaseException, so `except Exception` cannot swallow it."""


class Guard:
    """The audit hook's state: where reads and writes may go, and the first violation of the current call."""

    def __init__(self, scratch: str, readable: list[str]) -> None:
        self.scratch = scratch
        self.readable = tuple(readable)
        self.allow_limits = False
        self.violation: str | None = None

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            self._check_open(args)
        elif event == "import":
            if (words := FORBIDDEN_IMPORTS.get(args[0].partition(".")[0])) is not None:
                self._deny(words)
        elif event in FORBIDDEN_EVENTS:
            if event.startswith("resource.") and self.allow_limits:
                return
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


PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the toolgym package directory


def _load_render() -> types.ModuleType:
    """toolgym's `render` module, loaded without running `toolgym/__init__.py` (which imports gymnasium and numpy):
    its package and every toolgym module it imports (standard library only) are loaded by path."""
    for package in ("toolgym", "toolgym.models", "toolgym.execution"):
        stub = types.ModuleType(package)
        stub.__path__ = [str(PACKAGE_ROOT.joinpath(*package.split(".")[1:]))]  # type: ignore[attr-defined]
        sys.modules[package] = stub
    for name in ("toolgym.models.calls", "toolgym.execution.render"):
        path = PACKAGE_ROOT.joinpath(*name.split(".")[1:]).with_suffix(".py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules["toolgym.execution.render"]


_pending = bytearray()  # bytes read ahead from the request pipe


def _read_exact(n: int) -> bytes | None:
    while len(_pending) < n:
        chunk = os.read(_channel["in"], max(1 << 16, n - len(_pending)))
        if not chunk:
            return None
        _pending.extend(chunk)
    data = bytes(_pending[:n])
    del _pending[:n]
    return data


def _receive() -> dict | None:
    head = _read_exact(HEADER.size)
    if head is None:
        return None
    body = _read_exact(HEADER.unpack(head)[0])
    return None if body is None else json.loads(body)


def _send(message: dict) -> None:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(_channel["out"], data):]


def _set_limit(which: int, value: int) -> None:
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):  # not supported here, or above a hard limit set by whoever started us
        pass


class Worker:
    """The request loop and the compiled-tool cache."""

    def __init__(self, config: dict, guard: Guard, render: types.ModuleType) -> None:
        self.config = config
        self.guard = guard
        self.render = render
        self.modules: OrderedDict[str, tuple[object, str | None]] = OrderedDict()

    def serve(self) -> None:
        _send({"ready": True, "pid": os.getpid()})
        while (request := _receive()) is not None:
            _send(self.handle(request))

    def handle(self, request: dict) -> dict:
        key, name = request["key"], request["name"]
        if key not in self.modules and "source" not in request:
            return {"need_source": True}
        self._limit_cpu(request.get("cpu_s"))
        self.guard.violation = None
        try:
            content, error = self._run(key, name, request)
        except MemoryError:
            content, error = self._limit_message(name, "memory"), "memory"
        except BaseException as e:  # the tool's own code raised while being rendered, or the audit hook fired
            content, error = self.render.error_message(name, self.render.describe_exception(e)), "exception"
        if self.guard.violation is not None:
            detail = f"forbidden operation in the sandbox: {self.guard.violation}"
            content, error = self.render.error_message(name, detail), "forbidden"
        if error == "memory":  # the tool may keep what it allocated (module globals): ask to be replaced
            gc.collect()
            return {"content": content, "error": error, "retire": True}
        return {"content": content, "error": error}

    def _run(self, key: str, name: str, request: dict) -> tuple[str, str | None]:
        function, problem = self._function(key, name, request.get("source"))
        if function is None:
            return self.render.error_message(name, str(problem)), "exception"
        args = json.loads(request["args"])
        try:
            value = function(**args)
        except MemoryError:
            raise
        except BaseException as e:  # SystemExit and KeyboardInterrupt too: a tool must not end the worker
            return self.render.error_message(name, self.render.describe_exception(e)), "exception"
        return self.render.render(value), None

    def _function(self, key: str, name: str, source: str | None) -> tuple[object, str | None]:
        if key in self.modules:
            self.modules.move_to_end(key)
            return self.modules[key]
        self.modules[key] = entry = _compile(name, source or "")
        while len(self.modules) > MODULE_CACHE:
            self.modules.popitem(last=False)
        return entry

    def _limit_cpu(self, cpu_s: float | None) -> None:
        """Allow `cpu_s` more seconds of CPU from now (RLIMIT_CPU counts the process's whole life)."""
        if cpu_s is None:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + cpu_s + 0.999)
        self.guard.allow_limits = True
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass
        finally:
            self.guard.allow_limits = False

    def _limit_message(self, name: str, limit: str) -> str:
        return self.render.error_message(name, f"the call exceeded the {limit} limit of "
                                               f"{self.config['memory_mb']} MB")


def _compile(name: str, source: str) -> tuple[object, str | None]:
    """Run `source` in a fresh module; the tool function, or None and why not (as the trusted path words it)."""
    module = types.ModuleType(f"toolgym_tool_{name}")
    try:
        exec(compile(source, f"<tool {name}>", "exec"), module.__dict__)
    except SyntaxError as e:
        return None, f"tool code does not compile: {e.msg} (line {e.lineno})"
    except MemoryError:
        raise
    except BaseException as e:  # a failing import or top-level statement, sys.exit included
        return None, f"tool code failed to load: {type(e).__name__}: {e}" if str(e) else \
            f"tool code failed to load: {type(e).__name__}"
    function = getattr(module, name, None)
    if not callable(function):
        return None, f"tool code does not define a function named {name!r}"
    return function, None


def _lock_down(config: dict) -> Guard:
    """Resource limits, then the audit hook. Limits first: the hook forbids changing them."""
    memory = config.get("memory_mb")
    if memory:
        _set_limit(resource.RLIMIT_AS, int(memory) << 20)
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)
    _set_limit(resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT)
    _set_limit(resource.RLIMIT_NPROC, 0)  # no new processes or threads (ignored for root: the hook covers it)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with an OSError instead of killing us
    readable = [os.path.realpath(p) for p in [*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix] if p]
    guard = Guard(os.path.realpath(config["scratch"]), readable + ["/dev/null", "/dev/urandom"])
    sys.addaudithook(guard)
    _forbid_threads(guard)
    return guard


def _forbid_threads(guard: Guard) -> None:
    """A thread could outlive its call. Python < 3.13 raises no audit event for starting one: patch the starters."""
    import _thread
    import threading

    def refuse(*args: object, **kwargs: object) -> None:
        guard._deny("starting a thread")

    _thread.start_new_thread = _thread.start_new = refuse  # type: ignore[attr-defined]
    if hasattr(threading, "_start_new_thread"):
        threading._start_new_thread = refuse  # type: ignore[attr-defined]


def _move_channel() -> None:
    """Keep the pipes on private descriptors and point 0/1/2 at /dev/null: a tool's print() or input() must not
    touch the protocol."""
    _channel["in"], _channel["out"] = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def main() -> None:
    config = json.loads(sys.argv[1])
    os.chdir(config["scratch"])
    _move_channel()
    render = _load_render()
    # Modules tool code commonly imports, loaded before the hook so their own file reads are not checked.
    for module in ("math", "datetime", "re", "random", "statistics", "collections", "itertools", "functools",
                   "decimal", "fractions", "string", "hashlib", "copy", "typing", "dataclasses", "enum"):
        __import__(module)
    guard = _lock_down(config)
    Worker(config, guard, render).serve()


if __name__ == "__main__":
    main()

"""The attacks of issue #9, each tried by tool code that first disarms the audit hook (as a determined attacker
would, through `gc`): the kernel must still refuse, and the env, the pool and other tasks must not notice.

Every test checks three things: the attack's effect did not happen on the host, the attacking call came back as
a tool result, and a bystander task sharing the pool still gets its exact answers.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from tests.unit.execution.tasks import make_task
from toolgym import ToolEnv
from toolgym.execution import SandboxExecutor, WorkerPool
from toolgym.execution.sandbox import SCRATCH_PARENT, refusal
from toolgym.models.calls import ToolCall

pytestmark = [pytest.mark.slow,  # starts sandbox processes (~20 ms each)
              pytest.mark.skipif(refusal("strict") is not None, reason=str(refusal("strict")))]

# What an attacker does first: switch the audit hook off (it is a friendly layer, not the boundary).
DISARM = ("import gc\n"
          "for _g in gc.get_objects():\n"
          "    if type(_g).__name__ == 'Guard':\n"
          "        _g.internal = True\n")


def attack(body: str, params: str = "", name: str = "attack") -> str:
    """Source of a tool `name(<params>)` that disarms the hook, then runs `body`."""
    lines = DISARM.splitlines() + body.strip().splitlines()
    return f"import os, sys\n\ndef {name}({params}):\n" + "".join(f"    {line}\n" for line in lines)


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(2, memory_mb=256)
    yield pool
    pool.close()


@pytest.fixture
def host_dir(tmp_path):
    """A host directory beside the sandbox's scratch (same file system), outside it."""
    parent = SCRATCH_PARENT if os.access(SCRATCH_PARENT, os.W_OK) else str(tmp_path)
    path = Path(tempfile.mkdtemp(prefix="toolgym-host-", dir=parent))
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def bystander(pool):
    """Another task in the same pool, whose answers must never change."""
    executor = SandboxExecutor(make_task({"add": "def add(a, b):\n    return a + b"}, task_id="bystander"),
                               pool=pool)
    yield executor
    executor.close()


def run_attack(pool, bystander, body: str, args: dict | None = None, params: str = "", timeout: float = 5.0):
    """Run the attack in its own episode; check the bystander and the episode's next call; the result."""
    executor = SandboxExecutor(make_task({"attack": attack(body, params), "ok": "def ok():\n    return 'fine'"}),
                               pool=pool, timeout=timeout)
    try:
        result = executor.run(ToolCall("attack", json.dumps(args or {})))
        assert isinstance(result.content, str)
        assert executor.run(ToolCall("ok")).content == "fine"
        assert bystander.run(ToolCall("add", '{"a": 2, "b": 3}')).content == "5"
        return result
    finally:
        executor.close()


def test_hook_is_disarmed_but_the_kernel_refuses(pool, bystander):
    """The premise of this file: with the hook off, a forbidden listing reaches the kernel, which says no."""
    result = run_attack(pool, bystander, "return os.listdir('/')")
    assert result.error == "exception" and "PermissionError" in result.content


@pytest.mark.parametrize("route", [
    "import subprocess\nsubprocess.run(['/bin/sh', '-c', f'touch {marker}'])",
    "import _posixsubprocess\nimport subprocess\nsubprocess.Popen(['/bin/touch', marker])",
    "return os.system(f'touch {marker}')",
    "os.posix_spawn('/bin/touch', ['touch', marker], {})",
    "pid = os.fork()\nif pid == 0:\n    open(marker, 'w').close()\n    os._exit(0)",
    "os.execv('/bin/touch', ['touch', marker])",
])
def test_no_process_can_be_started(pool, bystander, tmp_path, route):
    marker = tmp_path / "spawned"
    result = run_attack(pool, bystander, route, {"marker": str(marker)}, "marker")
    if route.startswith("return os.system"):  # reports failure as a status, not an exception
        assert result.content not in ("0", "None")
    else:
        assert result.error == "exception" and "PermissionError" in result.content
    time.sleep(0.05)
    assert not marker.exists()


@pytest.mark.parametrize("route", [
    "open('a', 'w').close()\nos.rename('a', target)",
    "open('a', 'w').close()\nos.replace('a', target)",
    "open('a', 'w').close()\nos.link('a', target)",
    "os.symlink('/etc/passwd', target)",
    "os.mkfifo(target)",
    "os.mknod(target)",
    "open(target, 'w').write('import os')",
    "os.mkdir(target)",
])
def test_no_file_can_be_made_outside_scratch(pool, bystander, host_dir, route):
    target = host_dir / "planted.pth"  # on the scratch's file system, so rename and link could work
    result = run_attack(pool, bystander, route, {"target": str(target)}, "target")
    assert result.error == "exception"
    assert not os.path.lexists(target)


def test_no_pth_file_in_site_packages(pool, bystander):
    import sysconfig
    target = Path(sysconfig.get_paths()["purelib"]) / "toolgym_pwned.pth"
    try:
        result = run_attack(pool, bystander, "open(target, 'w').write('')", {"target": str(target)}, "target")
        assert result.error == "exception" and not target.exists()
    finally:  # a broken sandbox must not leave it for the next interpreter
        target.unlink(missing_ok=True)


def test_host_files_and_directories_are_invisible(pool, bystander, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    for body in ("return os.listdir('/')", "return os.listdir(folder)", "return os.listdir('/tmp')",
                 "return open(secret).read()", "return open('/etc/passwd').read()",
                 "return os.listdir(os.path.expanduser('~'))"):
        result = run_attack(pool, bystander, body, {"folder": str(tmp_path), "secret": str(secret)},
                            "folder, secret")
        assert result.error == "exception", (body, result)
        assert "PermissionError" in result.content or "FileNotFoundError" in result.content, (body, result)
        assert "s3cret" not in result.content


def test_host_metadata_is_out_of_sight(pool, bystander, tmp_path):
    """The minimal root: a host path that the sandbox does not need does not exist there at all, so its
    metadata (stat, readlink, exists) is out of reach too (Landlock alone does not cover metadata)."""
    if not _minimal_root(pool):
        pytest.skip(f"no minimal root here: {pool._zygote.root_problem}")
    link = tmp_path / "link"
    link.symlink_to("/etc/passwd")
    marker = Path.cwd() / f".toolgym-host-marker-{os.getpid()}"  # in the trainer's working directory
    marker.write_text("x")
    try:
        paths = ["/etc/passwd", "/etc", "/proc", "/proc/1", "/proc/self", "/sys", "/tmp", str(tmp_path),
                 str(link), str(marker), os.path.expanduser("~/.bashrc"), "/lib", "/bin/sh", "/dev/tty", "/dev/zero"]
        body = ("seen = {}\n"
                "for p in paths:\n"
                "    for probe in (os.stat, os.lstat, os.readlink):\n"
                "        try:\n"
                "            probe(p)\n"
                "            seen[p] = probe.__name__\n"
                "        except OSError:\n"
                "            pass\n"
                "    if os.path.lexists(p) or os.access(p, os.F_OK):\n"
                "        seen[p] = 'exists'\n"
                "return seen")
        result = run_attack(pool, bystander, body, {"paths": paths}, "paths")
        assert result.content == "{}", result
        listing = run_attack(pool, bystander, "return [os.listdir(p) for p in ('/', cwd)]", {"cwd": str(Path.cwd())},
                             "cwd")
        assert listing.error == "exception" and "Error" in listing.content, listing
        # the trainer's directory and its parents (/work here) exist only as the root's skeleton, if at all: an
        # empty tmpfs directory on the way to a bind, never the host's inode
        ancestors = [str(p) for p in (Path.cwd(), *Path.cwd().parents) if str(p) != "/"]
        body = "return [[os.stat(p).st_dev, os.stat(p).st_ino] if os.path.exists(p) else None for p in paths]"
        for path, seen in zip(ancestors, json.loads(run_attack(pool, bystander, body, {"paths": ancestors},
                                                                "paths").content)):
            host = os.stat(path)
            assert seen is None or seen != [host.st_dev, host.st_ino], path
    finally:
        marker.unlink()


def _minimal_root(pool) -> bool:
    executor = SandboxExecutor(make_task({"ok": "def ok():\n    return 'fine'"}), pool=pool)
    try:
        executor.run(ToolCall("ok"))
        return "minimal root" in executor.confinement
    finally:
        executor.close()


def test_tool_code_runs_as_an_unprivileged_user(pool, bystander):
    """When the trainer is root, tool code is `nobody`: a root-only file is unreadable to it even where the
    sandbox can reach it (here, beside toolgym's sources, which it may read)."""
    if os.geteuid() != 0:
        pytest.skip("the trainer is not root: tool code already runs as its (unprivileged) user")
    from toolgym.execution._worker import PACKAGE_ROOT

    secret = PACKAGE_ROOT / f".root-only-{os.getpid()}.txt"
    secret.write_text("r00t")
    secret.chmod(0o600)
    readable = PACKAGE_ROOT / f".world-readable-{os.getpid()}.txt"
    readable.write_text("public")
    try:
        result = run_attack(pool, bystander, "ids = [os.getuid(), os.geteuid(), os.getgid(), os.getgroups()]\n"
                            "try:\n    got = open(secret).read()\nexcept OSError as e:\n    got = type(e).__name__\n"
                            "return [ids, got, open(readable).read()]",
                            {"secret": str(secret), "readable": str(readable)}, "secret, readable")
        assert json.loads(result.content) == [[65534, 65534, 65534, []], "PermissionError", "public"], result
    finally:
        secret.unlink()
        readable.unlink()


def test_sqlite_outside_scratch(pool, bystander, tmp_path):
    database = tmp_path / "db.sqlite"
    body = "import sqlite3\nc = sqlite3.connect(path)\nc.execute('create table t (x)')\nc.commit()\nreturn 'made'"
    result = run_attack(pool, bystander, body, {"path": str(database)}, "path")
    assert result.error == "exception" and not database.exists()
    in_scratch = run_attack(pool, bystander, body, {"path": "local.sqlite"}, "path")
    assert in_scratch.content == "made"  # inside its scratch directory, sqlite works


def test_no_threads_even_from_a_fresh_thread_module(pool, bystander):
    body = ("import importlib.util\nspec = importlib.util.find_spec('_thread')\n"
            "fresh = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(fresh)\n"
            "fresh.start_new_thread(lambda: None, ())\nreturn 'started'")
    result = run_attack(pool, bystander, body)
    assert result.error == "exception" and "can't start new thread" in result.content


def test_ctypes_gains_nothing(pool, bystander, tmp_path):
    target = tmp_path / "by-ctypes"
    body = ("import importlib\nctypes = importlib.import_module('ctypes')\nlibc = ctypes.CDLL(None)\n"
            "forked = libc.syscall(57)\n"  # fork, raw
            "fd = libc.open(target.encode(), 0o101, 0o644)\n"  # O_WRONLY|O_CREAT
            "sock = libc.socket(2, 1, 0)\n"
            "return [forked, fd, sock]")
    result = run_attack(pool, bystander, body, {"target": str(target)}, "target")
    assert result.content == "[-1, -1, -1]" and not target.exists()


@pytest.mark.parametrize("route", [
    "os.kill(trainer, signal.SIGUSR1)",
    "signal.pidfd_send_signal(os.pidfd_open(trainer), signal.SIGUSR1)",
    "os.killpg(os.getpgid(trainer), 0)",  # signal 0: only asks whether it could (a real one would hit
    "os.kill(-1, 0)",                     # every process of the machine if the sandbox ever broke)
    "os.kill(os.getppid(), signal.SIGKILL)",  # the zygote
])
def test_no_signal_reaches_the_trainer_or_the_zygote(pool, bystander, route):
    received = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: received.append(1))
    try:
        result = run_attack(pool, bystander, "import signal\n" + route, {"trainer": os.getpid()}, "trainer")
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert result.error == "exception" and not received


FORGE = ("import struct, json\n"
         "def forge(message):\n"
         "    body = message if isinstance(message, bytes) else json.dumps(message).encode()\n"
         "    for fd in range(3, 10):\n"
         "        try:\n"
         "            os.write(fd, struct.pack('!I', len(body)) + body)\n"
         "        except OSError:\n"
         "            pass\n")


@pytest.mark.parametrize("message, kind", [
    ("{'id': 7, 'content': 'counterfeit', 'error': None}", "crashed"),      # another call's id
    ("{'id': 1, 'content': 'x', 'error': None, 'extra': 1}", "crashed"),  # unknown fields
    ("b'[' * 200000 + b']' * 200000", "crashed"),                      # nesting past the parser's limit
    ("b'not json'", "crashed"),
    ("{'id': 1, 'content': 'x', 'error': 'ok-by-me'}", "crashed"),      # an error kind it may not claim
])
def test_forged_replies_are_refused(pool, bystander, message, kind):
    result = run_attack(pool, bystander, FORGE + f"forge({message})\nreturn 'real'")
    assert result.error == kind and "counterfeit" not in result.content


def test_an_early_answer_neither_escapes_the_limits_nor_reaches_another_task(pool, bystander):
    body = FORGE + "forge({'id': 1, 'content': 'early', 'error': None})\nwhile True:\n    pass"
    executor = SandboxExecutor(make_task({"attack": attack(body), "ok": "def ok():\n    return 'fine'"}),
                               pool=pool, timeout=1.0, cpu_s=1.0)
    try:
        executor.run(ToolCall("attack"))  # whatever it claims for its own call
        for _ in range(3):  # the spinning process answers nothing else: the next call replaces it
            assert bystander.run(ToolCall("add", '{"a": 1, "b": 1}')).content == "2"
        nxt = executor.run(ToolCall("ok"))
        assert nxt.content == "fine" or nxt.error in ("crashed", "timeout", "cpu")
        assert executor.run(ToolCall("ok")).content == "fine"
    finally:
        executor.close()


def test_scratch_does_not_persist(pool, bystander):
    code = {"put": attack("for p in ('here.txt', '../beside.txt'):\n    open(p, 'w').write('kept')\n"
                          "    os.utime(p, (0, 0))\nos.utime('.', (0, 0))\nos.utime('..', (0, 0))\nreturn 'put'",
                          name="put"),
            "look": attack("return sorted(os.listdir('.')) + sorted(os.listdir('..'))", name="look")}
    executor = SandboxExecutor(make_task(code), pool=pool)
    try:
        assert executor.run(ToolCall("put")).content == "put"
        assert executor.run(ToolCall("look")).content == '["call-2"]'  # its own fresh directory, nothing else
        executor.close()  # the next episode: a new process and directory
        assert executor.run(ToolCall("look")).content == '["call-1"]'
    finally:
        executor.close()
    assert bystander.run(ToolCall("add", '{"a": 2, "b": 3}')).content == "5"


def test_a_deep_directory_tree_is_removed(pool, bystander):
    body = ("fd = os.open('.', os.O_RDONLY)\n"
            "for _ in range(3000):\n"
            "    os.mkdir('d', dir_fd=fd)\n"
            "    new = os.open('d', os.O_RDONLY, dir_fd=fd)\n"
            "    os.close(fd)\n"
            "    fd = new\n"
            "return 'deep'")
    executor = SandboxExecutor(make_task({"attack": attack(body), "look": attack("return os.listdir('..')",
                                                                                 name="look")}),
                               pool=pool, timeout=20)
    try:
        assert executor.run(ToolCall("attack")).content == "deep"
        assert executor.run(ToolCall("look")).content == '["call-2"]'
    finally:
        executor.close()
    assert bystander.run(ToolCall("add", '{"a": 2, "b": 3}')).content == "5"


def test_catastrophic_schema_pattern_is_bounded_by_the_call_limit(pool, bystander):
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}
    task = make_task({"echo": "def echo(s):\n    return s"}, {"echo": schema})
    executor = SandboxExecutor(task, pool=pool, timeout=0.5)
    try:
        start = time.monotonic()
        result = executor.run(ToolCall("echo", json.dumps({"s": "a" * 40 + "!"})))
        assert result.error in ("timeout", "cpu") and time.monotonic() - start < 5
        assert executor.run(ToolCall("echo", '{"s": "aaa"}')).content == "aaa"
    finally:
        executor.close()
    assert bystander.run(ToolCall("add", '{"a": 2, "b": 3}')).content == "5"


def test_ftrl_admission_passes_arguments_through(pool):
    task = make_task({"echo": "def echo(**kw):\n    return kw"}, {"echo": {"type": "object", "required": ["s"]}})
    executor = SandboxExecutor(task, pool=pool, ftrl=True)
    try:
        assert executor.run(ToolCall("echo", '{"t": 1}')).content == '{"t": 1}'
        assert executor.run(ToolCall("echo", "[1]")).error == "invalid_arguments"
        assert executor.run(ToolCall("echo", "{bad")).error == "invalid_json"
    finally:
        executor.close()


def test_toolgym_validate_sandboxes_a_hostile_file(tmp_path, capsys):
    from toolgym.cli import main
    from toolgym.models import save_tasks
    from toolgym.models.task import Task

    marker = tmp_path / "ran-unsandboxed"
    code = f"def evil():\n    open({str(marker)!r}, 'w').write('x')\n    return 'done'"
    task = Task(id="evil", question="q?", messages=[{"role": "user", "content": "q?"}],
                tools=[{"function": {"name": "evil", "parameters": {"type": "object"}}}], code={"evil": code},
                expected={"evil": ["done"]}, answer="done", scenario="single_hop",
                gold_plan=[[{"name": "evil", "arguments": {}}]])
    path = save_tasks([task], tmp_path / "evil.jsonl")
    assert main(["validate", str(path)]) == 1
    assert not marker.exists() and "forbidden operation" in capsys.readouterr().out


def test_an_env_over_attacks_goes_on(pool):
    code = {"attack": attack("os.kill(os.getppid(), 9)"), "ok": "def ok():\n    return 'fine'"}
    env = ToolEnv([make_task(code)], reward="ftrl", executor=lambda t: SandboxExecutor(t, pool=pool))
    for episode in range(3):
        env.reset(seed=episode)
        calls = [ToolCall("attack").openai("a"), ToolCall("ok").openai("b")]
        obs, *_ = env.step({"role": "assistant", "content": "", "tool_calls": calls})
        assert obs[-1]["content"] == "fine"
    env.close()
    assert pool.started <= 1  # the bystander's process, at most


def test_refusal_names_the_opt_in(monkeypatch):
    from toolgym.execution import _confine
    from toolgym.execution.sandbox import SandboxError

    monkeypatch.setattr(_confine, "support", lambda: "the kernel has no Landlock")
    task = make_task({"ok": "def ok():\n    return 'fine'"})
    with pytest.raises(SandboxError, match="sandbox='weak'.*TOOLGYM_SANDBOX=weak"):
        SandboxExecutor(task)
    monkeypatch.setenv("TOOLGYM_SANDBOX", "weak")
    assert SandboxExecutor(task).sandbox == "weak"
    with pytest.raises(ValueError, match="sandbox must be one of"):
        SandboxExecutor(task, sandbox="none")


def test_strict_refuses_a_process_that_could_not_confine_itself(pool, monkeypatch):
    from toolgym.execution import sandbox
    from toolgym.execution.sandbox import SandboxError

    monkeypatch.setattr(sandbox, "STRICT_STEPS", (*sandbox.STRICT_STEPS, "a step this kernel lacks"))
    task = make_task({"ok": "def ok():\n    return 'fine'"})
    with pytest.raises(SandboxError, match="could not confine itself.*a step this kernel lacks: not applied.*"
                                           "sandbox='weak'"):
        SandboxExecutor(task, pool=pool).run(ToolCall("ok"))
    weak = SandboxExecutor(task, pool=pool, sandbox="weak")
    assert weak.run(ToolCall("ok")).content == "fine" and "seccomp" in weak.confinement
    weak.close()


def test_scratch_space_is_bounded():
    pool = WorkerPool(1, scratch_mb=8)
    fill = ("n = 0\ntry:\n    for i in range(100):\n        with open(f'f{i}', 'wb') as f:\n"
            "            f.write(bytes(1 << 20))\n        n += 1\nexcept OSError as e:\n    return [n, e.errno]\n"
            "return [n, 0]")
    executor = SandboxExecutor(make_task({"attack": attack(fill), "ok": "def ok():\n    return 'fine'"}),
                               pool=pool)
    try:
        result = executor.run(ToolCall("attack"))
        if not pool.scratch_limited:
            pytest.skip("no mount namespace here: scratch space is bounded per file only")
        assert result.content in ("[7, 28]", "[8, 28]")  # ENOSPC after ~8 MB
        assert executor.run(ToolCall("attack")).content == result.content  # emptied after the call
        assert executor.run(ToolCall("ok")).content == "fine"
    finally:
        executor.close()
        pool.close()


def test_minimal_root_inside_a_user_namespace(monkeypatch):
    """How an unprivileged trainer runs: the zygote is root only inside a user namespace, and still builds the
    minimal root (its binds keep the flags that namespace locks)."""
    from toolgym.execution import sandbox

    in_user_namespace = [c for c in sandbox._candidates(False) if c.features[0].startswith("user, network, IPC "
                                                                                           "and mount")]
    if not in_user_namespace or not sandbox._works(in_user_namespace[0].prefix, {}):
        pytest.skip("no unprivileged user and mount namespaces here")
    monkeypatch.setattr(sandbox, "isolation", lambda: in_user_namespace[0])
    pool = WorkerPool(1)
    probe = attack("seen = [os.path.exists(p) for p in ('/etc/passwd', '/proc/1', here)]\n"
                   "return seen + [len(open(here).read()) if seen[-1] else None]", "here")
    executor = SandboxExecutor(make_task({"attack": probe}), pool=pool)
    try:
        result = executor.run(ToolCall("attack", json.dumps({"here": __file__})))
        assert "minimal root" in executor.confinement and "unprivileged user" not in executor.confinement
        assert json.loads(result.content) == [False, False, False, None]  # tests are not what Python needs
        source = SandboxExecutor(make_task({"attack": probe}), pool=pool)
        render = importlib.import_module("toolgym.execution.render")
        assert json.loads(source.run(ToolCall("attack", json.dumps({"here": render.__file__}))).content) == \
            [False, False, True, len(Path(render.__file__).read_text())]
        source.close()
    finally:
        executor.close()
        pool.close()

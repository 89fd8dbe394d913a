"""SandboxExecutor: hostile tool code is contained, with a clear message, and the pool goes on serving."""

from __future__ import annotations

import gc
import os
import pickle
import threading
from pathlib import Path

import pytest

from tests.unit.execution.tasks import make_task
from toolgym import load_tasks
from toolgym.execution import SandboxExecutor, TrustedExecutor, WorkerPool
from toolgym.models.calls import ToolCall

pytestmark = pytest.mark.slow  # starts worker processes

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ftrl"
PREFIX = "an error occured when call "
MEMORY_MB = 512

# tool -> (error kind, message after "an error occured when call <tool>: ")
HOSTILE = {
    "infinite_loop": ("timeout", "the call timed out after 1 s (wall-clock limit)"),
    "huge_allocation": ("memory", f"the call exceeded the memory limit of {MEMORY_MB} MB"),
    "fork": ("forbidden", "forbidden operation in the sandbox: starting a process (os.fork)"),
    "write_file": ("forbidden", "forbidden operation in the sandbox: writing a file outside the scratch directory"),
    "open_socket": ("forbidden", "forbidden operation in the sandbox: opening a socket (network access)"),
    "run_shell": ("forbidden", "forbidden operation in the sandbox: running a shell command (os.system)"),
    "deep_recursion": ("exception", "RecursionError: maximum recursion depth exceeded"),
    "call_exit": ("exception", "SystemExit: 3"),
    "never_defined": ("exception", "tool code does not define a function named 'never_defined'"),
}


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(2, memory_mb=MEMORY_MB)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def hostile(pool):
    return SandboxExecutor(load_tasks(FIXTURES / "hostile.jsonl")[0], timeout=1.0, pool=pool)


@pytest.mark.parametrize("tool", sorted(HOSTILE))
def test_hostile_code_is_contained(hostile, pool, tool):
    kind, detail = HOSTILE[tool]
    result = hostile.run(ToolCall(tool, "{}"))
    assert (result.error, result.content) == (kind, f"{PREFIX}{tool}: {detail}")
    assert hostile.run(ToolCall("well_behaved", '{"x": 2.5}')).content == '{"value": 4}'


def test_no_side_effects_reach_the_host(hostile):
    hostile.run(ToolCall("write_file"))
    hostile.run(ToolCall("run_shell"))
    assert not os.path.exists("/tmp/toolgym-pwned.txt") and not os.path.exists("/tmp/toolgym-pwned-shell")


def test_environment_is_scrubbed(hostile, monkeypatch):
    monkeypatch.setenv("TOOLGYM_SECRET", "s3cret")
    result = hostile.run(ToolCall("read_env"))
    assert result.ok and result.content == "{}"


SNIPPETS = {
    "os_exit": "import os\ndef os_exit():\n    os._exit(3)",
    "segfault": "import sys, json\ndef segfault():\n    sys.setrecursionlimit(10**7)\n    x = []\n"
                "    for _ in range(10**6):\n        x = [x]\n    return json.dumps(x)",
    "spin": "def spin():\n    while True:\n        pass",
    "read_secret": "def read_secret():\n    return open('/etc/passwd').read()",
    "kill_parent": "import os\ndef kill_parent():\n    os.kill(os.getppid(), 9)",
    "native": "def native():\n    import ctypes\n    return 1",
    "subprocess_run": "import subprocess\ndef subprocess_run():\n    return subprocess.run(['id'])",
    "swallow": "import os\ndef swallow():\n    try:\n        os.system('id')\n    except BaseException:\n        pass\n"
               "    return 'nothing happened'",
    "chatty": "def chatty():\n    print('noise on stdout')\n    return 'ok'",
    "note": "def note(write=False):\n    if write:\n        open('note.txt', 'w').write('kept?')\n"
            "        return open('note.txt').read()\n    return open('note.txt').read()",
    "slow_load": "while True:\n    pass\ndef slow_load():\n    return 1",
    "typed": "def typed(n):\n    while True:\n        pass",
    "flood": "def flood():\n    return 'x' * (20 << 20)",
    "thread": "import threading\ndef thread():\n    threading.Thread(target=print).start()",
    "hoard": "KEPT = []\ndef hoard():\n    while True:\n        KEPT.append(bytearray(1 << 20))",
}
SCHEMAS = {"typed": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}


@pytest.fixture(scope="module")
def snippets(pool):
    return SandboxExecutor(make_task(SNIPPETS, SCHEMAS), timeout=1.0, pool=pool)


@pytest.mark.parametrize("tool, kind, detail", [
    ("os_exit", "crashed", "the tool ended its sandbox process (exit code 3)"),
    ("read_secret", "forbidden", "forbidden operation in the sandbox: reading a file outside the scratch directory"),
    ("kill_parent", "forbidden", "forbidden operation in the sandbox: sending a signal (os.kill)"),
    ("native", "forbidden", "forbidden operation in the sandbox: loading native code (ctypes)"),
    ("subprocess_run", "forbidden", "forbidden operation in the sandbox: starting a process (subprocess)"),
    ("swallow", "forbidden", "forbidden operation in the sandbox: running a shell command (os.system)"),
    ("slow_load", "timeout", "the call timed out after 1 s (wall-clock limit)"),
    ("flood", "output", "the tool's result is larger than 16 MB"),
    ("thread", "forbidden", "forbidden operation in the sandbox: starting a thread"),
])
def test_more_breaches(snippets, pool, tool, kind, detail):
    result = snippets.run(ToolCall(tool))
    assert (result.error, result.content) == (kind, f"{PREFIX}{tool}: {detail}")
    assert snippets.run(ToolCall("chatty")).content == "ok"  # print() does not corrupt the pipe


def test_a_crash_in_c_code(pool):
    executor = SandboxExecutor(make_task(SNIPPETS), timeout=20.0, pool=pool)  # a million lists first: ~1-2 s
    result = executor.run(ToolCall("segfault"))
    assert (result.error, result.content) == ("crashed", f"{PREFIX}segfault: the tool crashed its sandbox process "
                                                         "(signal SIGSEGV; e.g. unbounded recursion in C code)")
    assert executor.run(ToolCall("chatty")).content == "ok"
    executor.close()


def test_cpu_limit(pool):
    executor = SandboxExecutor(make_task(SNIPPETS), timeout=10.0, cpu_s=0.2, pool=pool)
    result = executor.run(ToolCall("spin"))
    assert (result.error, result.content) == ("cpu", f"{PREFIX}spin: the call exceeded the CPU time limit of 0.2 s")


def test_arguments_are_validated_before_sending(snippets):
    result = snippets.run(ToolCall("typed", '{"n": "three"}'))  # the tool would spin: it never runs
    assert result.error == "invalid_arguments" and "'three' is not of type 'integer'" in result.content
    assert snippets.run(ToolCall("typed", "{bad")).error == "invalid_json"
    not_object = snippets.run(ToolCall("typed", "[1]")).content
    assert not_object == f"{PREFIX}typed: arguments must be a JSON object, got array"
    unknown = snippets.run(ToolCall("nope"))
    assert unknown.error == "unknown_tool" and "available tools: os_exit" in unknown.content


def test_scratch_files_do_not_outlive_a_call():
    pool = WorkerPool(1, memory_mb=MEMORY_MB)
    try:
        executor = SandboxExecutor(make_task(SNIPPETS), pool=pool)
        assert executor.run(ToolCall("note", '{"write": true}')).content == "kept?"
        assert "FileNotFoundError" in executor.run(ToolCall("note")).content
    finally:
        pool.close()
    assert pool.started == 0


def test_same_results_as_trusted_path(pool):
    calls = [ToolCall("flight_destination", '{"flight_no": "ZX-101"}'), ToolCall("flight_destination", '{}'),
             ToolCall("hotel_price", '{"city": "Velmora", "nights": 3}'), ToolCall("hotel_price", '{"city": 1}'),
             ToolCall("get_weather", '{"city": "Zorvik", "unit": "f"}'), ToolCall("missing", "{}")]
    task = load_tasks(FIXTURES / "tasks.jsonl")[0]
    sandbox, trusted = SandboxExecutor(task, pool=pool), TrustedExecutor(task)
    assert [sandbox.run(c) for c in calls] == [trusted.run(c) for c in calls]


def test_threads_share_the_pool(pool):
    executor = SandboxExecutor(load_tasks(FIXTURES / "tasks.jsonl")[1], pool=pool)
    results, errors = [], []

    def work(i: int) -> None:
        try:
            results.append(executor.run(ToolCall("add", f'{{"a": {i}, "b": 1}}')).content)
        except BaseException as e:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(results, key=int) == [str(i + 1) for i in range(24)]


def test_pickle_and_protocol(pool):
    executor = SandboxExecutor(make_task(SNIPPETS), memory_mb=256)
    clone = pickle.loads(pickle.dumps(executor))
    assert clone.run(ToolCall("chatty")).content == "ok" and clone.memory_mb == 256
    executor.close()
    executor.close()
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        SandboxExecutor(make_task(SNIPPETS), timeout=0)
    with pytest.raises(ValueError, match="memory limit belongs to the pool"):
        SandboxExecutor(make_task(SNIPPETS), memory_mb=100, pool=pool)


def test_a_forked_child_starts_its_own_workers(pool):
    executor = SandboxExecutor(make_task(SNIPPETS), pool=pool)
    assert executor.run(ToolCall("chatty")).content == "ok"
    pid = os.fork()
    if pid == 0:  # the child must not talk to the parent's workers
        ok = executor.run(ToolCall("chatty")).content == "ok" and pool.started == 1
        pool.close()
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert executor.run(ToolCall("chatty")).content == "ok"


def test_memory_kept_by_a_tool_does_not_starve_the_next_call():
    pool = WorkerPool(1, memory_mb=256)
    try:
        executor = SandboxExecutor(make_task(SNIPPETS), pool=pool)
        for _ in range(2):
            result = executor.run(ToolCall("hoard"))
            assert (result.error, result.content) == ("memory", f"{PREFIX}hoard: the call exceeded the memory limit "
                                                                "of 256 MB")
            assert executor.run(ToolCall("chatty")).content == "ok"
    finally:
        pool.close()


def test_processes_end_with_their_episode():
    pool = WorkerPool(1, memory_mb=MEMORY_MB)
    try:
        executor = SandboxExecutor(make_task(SNIPPETS), pool=pool)
        assert executor.run(ToolCall("chatty")).content == "ok" and pool.started == 1
        executor.close()
        assert pool.started == 0
        assert executor.run(ToolCall("chatty")).content == "ok"  # a new episode, a new process
        pool.close()  # under the executor: its next call starts the pool again
        assert executor.run(ToolCall("chatty")).content == "ok" and pool.started == 1
        dropped = SandboxExecutor(make_task(SNIPPETS), pool=pool)
        dropped.run(ToolCall("chatty"))
        assert pool.started == 2
        del dropped  # never closed: its process sees its socket close and exits; the zygote reaps it
        gc.collect()
        assert pool.started == 1
        executor.close()
        assert executor.run(ToolCall("chatty")).content == "ok"
    finally:
        pool.close()
    assert pool.started == 0


def test_tempfile_works_in_every_call(pool):
    code = {"temp": "import tempfile\ndef temp():\n    with tempfile.NamedTemporaryFile('w') as f:\n"
                    "        f.write('x')\n        f.flush()\n        return open(f.name).read()"}
    executor = SandboxExecutor(make_task(code), pool=pool)
    try:
        assert [executor.run(ToolCall("temp")).content for _ in range(2)] == ["x", "x"]
    finally:
        executor.close()


def test_a_dead_zygote_is_replaced():
    pool = WorkerPool(1, memory_mb=MEMORY_MB)
    try:
        executor = SandboxExecutor(make_task(SNIPPETS), pool=pool)
        assert executor.run(ToolCall("chatty")).content == "ok"
        os.kill(pool._zygote.proc.pid, 9)  # the OOM killer, say: its children die with it
        pool._zygote.proc.wait()
        lost = executor.run(ToolCall("chatty"))
        assert lost.error == "crashed" or lost.content == "ok"
        assert executor.run(ToolCall("chatty")).content == "ok"
        assert SandboxExecutor(make_task(SNIPPETS), pool=pool).run(ToolCall("chatty")).content == "ok"
    finally:
        pool.close()

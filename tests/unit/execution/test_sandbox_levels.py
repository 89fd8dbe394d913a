"""Sandbox levels on kernels with less than this one: the refusals of `sandbox="strict"` and what `sandbox="weak"`
still guarantees. `_confine.PRETEND` (the test seam, also TOOLGYM_SANDBOX_PRETEND) makes the probes report an older
kernel; the zygote then really confines its children with only that much (an older Landlock ABI, no seccomp)."""

from __future__ import annotations

import json
import os
import socket

import pytest

from tests.unit.execution.tasks import make_task
from tests.unit.execution.test_sandbox_attacks import DISARM, attack
from toolgym.execution import SandboxExecutor, WorkerPool, _confine
from toolgym.execution.sandbox import SandboxError, refusal
from toolgym.models.calls import ToolCall

pytestmark = [pytest.mark.slow,  # starts sandbox processes
              pytest.mark.skipif(refusal("strict") is not None, reason=str(refusal("strict")))]

OK = "def ok():\n    return 'fine'"


@pytest.fixture
def older_kernel(monkeypatch):
    """Pretend the kernel offers only `pretend`; a pool started meanwhile (closed afterwards) sees it too."""
    pools = []

    def pretend(**offer: int) -> WorkerPool:
        monkeypatch.setattr(_confine, "PRETEND", offer)
        pools.append(WorkerPool(1, memory_mb=128))
        return pools[-1]

    yield pretend
    for pool in pools:
        pool.close()


@pytest.mark.parametrize("offer, reason", [
    ({"landlock_abi": 0}, "the kernel has no Landlock"),
    ({"landlock_abi": 2}, "the kernel's Landlock is ABI 2; 3 .* is needed to control file truncation"),
    ({"seccomp": 0}, "the kernel has no seccomp filter support"),
])
def test_strict_refuses_an_older_kernel_by_name(older_kernel, offer, reason):
    older_kernel(**offer)
    with pytest.raises(SandboxError, match=f"refusing to run untrusted tool code: {reason}.*sandbox='weak'.*"
                                           "TOOLGYM_SANDBOX=weak"):
        SandboxExecutor(make_task({"ok": OK}))


def test_the_seam_reads_its_variable_and_names_bad_values():
    assert _confine._parse_pretend("landlock_abi=2, seccomp=0") == {"landlock_abi": 2, "seccomp": 0}
    with pytest.raises(ValueError, match="TOOLGYM_SANDBOX_PRETEND.*'landlock=2'"):
        _confine._parse_pretend("landlock=2")


def test_the_oldest_landlock_strict_accepts_still_confines_files(older_kernel, tmp_path):
    pool = older_kernel(landlock_abi=_confine.MIN_LANDLOCK_ABI)
    executor = SandboxExecutor(make_task({"attack": attack("return os.listdir('/')"), "ok": OK}), pool=pool)
    try:
        result = executor.run(ToolCall("attack"))
        assert result.error == "exception" and "PermissionError" in result.content
        assert {"landlock", "seccomp"} <= set(executor.confinement)
    finally:
        executor.close()


def test_weak_without_landlock_or_seccomp(older_kernel):
    """What the README promises for `sandbox="weak"` on a kernel with neither: the audit hook names common
    attempts, rlimits hold, each episode is a fresh process, and where namespaces can be made the minimal root,
    the unprivileged user and the empty network namespace hold against code that gets past the hook."""
    pool = older_kernel(landlock_abi=0, seccomp=0)
    listener = socket.create_server(("127.0.0.1", 0))
    code = {
        "peek": "def peek():\n    return open('/etc/hostname').read()",
        "spawn": "import subprocess\ndef spawn():\n    return subprocess.run(['true']).returncode",
        "hog": "def hog():\n    return len(bytearray(512 << 20))",
        "spin": "def spin():\n    while True:\n        pass",
        "count": "N = []\ndef count():\n    N.append(1)\n    return len(N)",
        "escape": attack("import socket\nseen = [os.path.exists('/etc/passwd'), os.getuid() != 0, os.listdir('/')]\n"
                         "try:\n    socket.create_connection(('127.0.0.1', port), timeout=1)\n"
                         "    seen.append('connected')\nexcept OSError as e:\n    seen.append(type(e).__name__)\n"
                         "return seen", "port", name="escape"),
    }
    task = make_task(code)
    with pytest.raises(SandboxError, match="no Landlock"):
        SandboxExecutor(task, pool=pool)
    executor = SandboxExecutor(task, pool=pool, sandbox="weak", timeout=2.0)
    try:
        peek = executor.run(ToolCall("peek"))
        assert peek.error == "forbidden" and "reading a file outside the scratch directory" in peek.content
        assert "landlock" not in executor.confinement and "seccomp" not in executor.confinement
        assert executor.run(ToolCall("spawn")).error == "forbidden"
        assert executor.run(ToolCall("hog")).error == "memory"
        assert executor.run(ToolCall("spin")).error in ("timeout", "cpu")
        assert [executor.run(ToolCall("count")).content for _ in range(2)] == ["1", "2"]
        executor.close()
        assert executor.run(ToolCall("count")).content == "1"  # a new episode, a new process
        seen = json.loads(executor.run(ToolCall("escape", json.dumps({"port": listener.getsockname()[1]}))).content)
        if "minimal root" in executor.confinement:
            assert seen[0] is False and not {"etc", "proc", "sys", "tmp"} & set(seen[2])  # a skeleton, no host
        if os.geteuid() == 0:
            assert seen[1] is True and "unprivileged user" in executor.confinement
        assert seen[3] != "connected"  # a network namespace without interfaces
    finally:
        executor.close()
        listener.close()


def test_disarming_the_hook_is_the_premise_of_the_attack_suite(older_kernel):
    """Under weak, with the hook disarmed as the attack suite does, nothing but the kernel layers remain: the
    attack suite's DISARM really switches the hook off (else its tests would prove less than they claim)."""
    pool = older_kernel(landlock_abi=0, seccomp=0)
    body = DISARM + "import ctypes\nreturn ctypes.sizeof(ctypes.c_int)"
    tool = "import os, sys\n\ndef attack():\n" + "".join(f"    {line}\n" for line in body.splitlines())
    executor = SandboxExecutor(make_task({"attack": tool}), pool=pool, sandbox="weak")
    try:
        result = executor.run(ToolCall("attack"))
        assert result.content == "4", result  # the hook, which forbids importing ctypes, said nothing: it was off
    finally:
        executor.close()

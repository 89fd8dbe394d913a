"""`SandboxExecutor.run_turn`: a turn's calls in one round trip, with exactly the results of running them one by
one (each call's own limits; a call that loses the process leaves the calls after it to a fresh one)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.execution.tasks import make_task
from toolgym.execution import SandboxExecutor, WorkerPool
from toolgym.execution import sandbox as sandbox_module
from toolgym.execution.base import run_turn
from toolgym.models.calls import ToolCall

pytestmark = pytest.mark.slow  # starts sandbox processes

CODE = {
    "count": "SEEN = []\ndef count(x=0):\n    SEEN.append(x)\n    return SEEN",
    "boom": "def boom():\n    raise ValueError('boom')",
    "spin": "def spin():\n    while True:\n        pass",
    "hog": "def hog():\n    return len(bytearray(1 << 30))",
    "die": "import os\ndef die():\n    os._exit(3)",
}
CALLS = {"count": ToolCall("count", '{"x": 1}'), "boom": ToolCall("boom"), "spin": ToolCall("spin"),
         "hog": ToolCall("hog"), "die": ToolCall("die"), "nope": ToolCall("nope"), "bad": ToolCall("count", "{x")}


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(1, memory_mb=128)
    yield pool
    pool.close()


def one_by_one(pool, calls):
    executor = SandboxExecutor(make_task(CODE), pool=pool, timeout=0.5)
    try:
        return [executor.run(call) for call in calls]
    finally:
        executor.close()


def as_a_turn(pool, calls):
    executor = SandboxExecutor(make_task(CODE), pool=pool, timeout=0.5)
    try:
        return executor.run_turn(calls)
    finally:
        executor.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(CALLS)), min_size=1, max_size=6))
def test_a_turn_gives_what_its_calls_give_one_by_one(pool, names):
    calls = [CALLS[name] for name in names]
    assert as_a_turn(pool, calls) == one_by_one(pool, calls)


def test_a_lost_process_leaves_the_rest_of_the_turn_to_a_fresh_one(pool):
    calls = [CALLS["count"], CALLS["count"], CALLS["spin"], CALLS["count"], CALLS["hog"], CALLS["count"],
             CALLS["die"], CALLS["count"]]
    results = as_a_turn(pool, calls)
    assert [r.error for r in results] == [None, None, "timeout", None, "memory", None, "crashed", None]
    assert [r.content for r in results if r.error is None] == ["[1]", "[1, 1]", "[1]", "[1]", "[1]"]


def test_a_turn_is_one_write(pool, monkeypatch):
    writes = []
    real = sandbox_module.write_all
    monkeypatch.setattr(sandbox_module, "write_all", lambda fd, data: writes.append(len(data)) or real(fd, data))
    executor = SandboxExecutor(make_task(CODE), pool=pool)
    try:
        writes.clear()  # the episode's setup
        results = executor.run_turn([ToolCall("count", json.dumps({"x": i})) for i in range(4)])
        assert [r.content for r in results][-1] == "[0, 1, 2, 3]" and len(writes) == 1
        big = [ToolCall("count", json.dumps({"x": "y" * 25000})) for _ in range(3)]  # over BATCH_BYTES together
        writes.clear()
        assert all(r.error is None for r in run_turn(executor, big)) and len(writes) == 2
    finally:
        executor.close()

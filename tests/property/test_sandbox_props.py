"""Property test: random tool code (from a grammar of small snippets) and random arguments never take down the env."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.execution.tasks import make_task
from toolgym import ToolEnv
from toolgym.execution import WorkerPool
from toolgym.execution.sandbox import SandboxExecutor
from toolgym.models.calls import ToolCall

pytestmark = pytest.mark.slow

ERROR_KINDS = {None, "exception", "timeout", "memory", "cpu", "forbidden", "crashed", "output", "invalid_json",
               "invalid_arguments", "unknown_tool"}

PRELUDES = ["", "import os", "import sys", "import json, math", "X = 1", "def _h(v):\n    return v",
            "raise ValueError('at import')", "import socket", "G = [0] * 1000"]
STATEMENTS = ["return kw", "return 1 / 0", "raise KeyError('k')", "return object()", "return {1, 2}",
              "return b'\\xff'", "return float('nan')", "print('noise')", "return 'é' * 1000",
              "return {'a': [kw]}", "return _h(kw) if '_h' in globals() else None", "global G\n    G = kw",
              "import os\n    os.fork()", "import os\n    os.system('true')", "import sys\n    sys.exit(2)",
              "import os\n    os._exit(1)", "while True:\n        pass", "return [0] * 10 ** 10",
              "open('/etc/hostname').read()", "open('out.txt', 'w').write(str(kw))", "raise KeyboardInterrupt",
              "import socket\n    socket.socket()", "return str(kw) * 3", "import os\n    return os.environ.copy()",
              "import ctypes", "return kw.get('n', 0) ** 2"]

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=8)


@st.composite
def tool_sources(draw) -> str:
    prelude = draw(st.sampled_from(PRELUDES))
    body = draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=3))
    name = draw(st.sampled_from(["tool", "other"]))  # "other": the code never defines the tool
    return f"{prelude}\n\ndef {name}(**kw):\n    " + "\n    ".join(body) + "\n"


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(2, memory_mb=256)
    yield pool
    pool.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=tool_sources(), args=st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=3),
       raw=st.one_of(st.none(), st.text(max_size=20)))
def test_random_tool_code_never_takes_down_the_env(pool, source, args, raw):
    task = make_task({"tool": source, "ok": "def ok():\n    return 'fine'"})
    env = ToolEnv([task], reward="ftrl",
                  executor=lambda t: SandboxExecutor(t, timeout=0.3, pool=pool))
    env.reset(seed=0)
    arguments = raw if raw is not None else json.dumps(args)
    calls = [ToolCall("tool", arguments).openai("a"), ToolCall("ok").openai("b")]
    obs, reward, terminated, truncated, info = env.step({"role": "assistant", "content": "", "tool_calls": calls})
    assert isinstance(reward, float) and not terminated
    assert [m["role"] for m in obs[-2:]] == ["tool", "tool"] and obs[-1]["content"] == "fine"
    result = env.unwrapped._executor.run(ToolCall("tool", arguments))
    assert isinstance(result.content, str) and result.error in ERROR_KINDS

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.unit.execution.tasks import make_task
from toolgym.execution import Executor, TrustedExecutor
from toolgym.execution.trusted import CACHE_SIZE, _fresh_module, _module_code, _TaskCache, prepared_tools
from toolgym.models.calls import ToolCall, ToolResult

REPO_ROOT = Path(__file__).resolve().parents[3]
QUICK_TIMEOUT_S = 0.2
SLACK_S = 3.0  # generous upper bound on how long a timed-out call may take on a loaded CI machine

WEATHER_CODE = '''
import json
import math

TEMPS = {"zorvik": 12.0, "quellin": 31.0}

def _to_unit(t, unit):
    return t if unit == "c" else math.floor(t * 9 / 5 + 32)

def get_weather(city, unit="c"):
    t = TEMPS[city.lower()]
    return {"city": city, "temperature": _to_unit(t, unit), "raw": json.dumps(t)}
'''
WEATHER_SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
                  "required": ["city"], "additionalProperties": False}
DIVIDE_CODE = "def divide(a, b):\n    return a / b\n"
SPIN_CODE = "def spin():\n    while True:\n        pass\n"
STUBBORN_CODE = '''
def stubborn():
    while True:
        try:
            pass
        except Exception:
            pass
'''
# A loop the test can end, so the abandoned worker thread does not burn a CPU for the rest of the session.
STOPPABLE_CODE = '''
STOP = False

def spin_until_stopped():
    while not STOP:
        pass
    return "stopped"
'''


@pytest.fixture(scope="module")
def executor():
    task = make_task({"get_weather": WEATHER_CODE, "divide": DIVIDE_CODE, "spin": SPIN_CODE,
                      "stubborn": STUBBORN_CODE},
                     {"get_weather": WEATHER_SCHEMA})
    ex = TrustedExecutor(task)
    yield ex
    ex.close()


def call(name: str, arguments: str = "{}") -> ToolCall:
    return ToolCall(name, arguments)


def test_it_is_an_executor(executor):
    assert isinstance(executor, Executor)


def test_module_level_imports_constants_and_helpers_work(executor):
    result = executor.run(call("get_weather", '{"city": "Zorvik", "unit": "f"}'))
    assert result == ToolResult('{"city": "Zorvik", "temperature": 53, "raw": "12.0"}')


def test_unknown_tool_lists_the_available_ones(executor):
    result = executor.run(call("get_wether", '{"city": "Zorvik"}'))
    assert result.error == "unknown_tool"
    assert result.content == ("an error occured when call get_wether: unknown tool 'get_wether'; "
                              "available tools: get_weather, divide, spin, stubborn")


def test_invalid_json(executor):
    result = executor.run(call("get_weather", '{"city": "Zorvik",}'))
    assert result.error == "invalid_json"
    assert result.content.startswith("an error occured when call get_weather: invalid JSON arguments: "
                                     "Expecting property name enclosed in double quotes")


@pytest.mark.parametrize(("arguments", "kind"), [("[1]", "array"), ('"x"', "string"), ("null", "null"),
                                                  ("3", "integer")])
def test_arguments_must_be_an_object(executor, arguments, kind):
    result = executor.run(call("get_weather", arguments))
    assert result == ToolResult(f"an error occured when call get_weather: arguments must be a JSON object, got "
                                f"{kind}", "invalid_arguments")


@pytest.mark.parametrize(("arguments", "detail"), [
    ("{}", "missing required argument 'city'"),
    ('{"city": "Zorvik", "foo": 1}', "unexpected argument 'foo'"),
    ('{"city": "Zorvik", "unit": "kelvin"}', "\"unit\": 'kelvin' is not one of ['c', 'f']"),
    ('{"city": 3}', "\"city\": 3 is not of type 'string'"),
])
def test_schema_violations_name_the_argument(executor, arguments, detail):
    result = executor.run(call("get_weather", arguments))
    assert result == ToolResult(f"an error occured when call get_weather: {detail}", "invalid_arguments")


def test_exceptions_become_feedback(executor):
    assert executor.run(call("divide", '{"a": 1, "b": 0}')) == ToolResult(
        "an error occured when call divide: ZeroDivisionError: division by zero", "exception")
    assert executor.run(call("get_weather", '{"city": "Paris"}')) == ToolResult(
        "an error occured when call get_weather: KeyError: 'paris'", "exception")


def test_arguments_the_schema_allows_but_the_function_does_not_take(executor):
    result = executor.run(call("divide", '{"a": 1, "b": 2, "c": 3}'))  # the open schema allows "c"
    assert result.error == "exception"
    assert result.content.endswith("TypeError: divide() got an unexpected keyword argument 'c'")


def test_broken_sources_fail_at_call_time_not_at_construction():
    task = make_task({"syntax": "def syntax(:\n    pass\n", "imports": "import no_such_module_xyz\n",
                      "nofunc": "x = 1\n", "notcallable": "notcallable = 3\n", "ok": "def ok():\n    return 'ok'\n"})
    ex = TrustedExecutor(task)
    assert ex.run(call("ok")) == ToolResult("ok")
    cases = {"syntax": "tool code does not compile: invalid syntax (line 1)",
             "imports": "tool code failed to load: ModuleNotFoundError: No module named 'no_such_module_xyz'",
             "nofunc": "tool code does not define a function named 'nofunc'",
             "notcallable": "tool code does not define a function named 'notcallable'"}
    for name, detail in cases.items():
        assert ex.run(call(name)) == ToolResult(f"an error occured when call {name}: {detail}", "exception")


def test_system_exit_in_a_tool_is_feedback():
    ex = TrustedExecutor(make_task({"quit": "import sys\ndef quit():\n    sys.exit(3)\n"}))
    assert ex.run(call("quit")) == ToolResult("an error occured when call quit: SystemExit: 3", "exception")


def test_each_tool_gets_its_own_module():
    code = {name: f"K = {name!r}\ndef {name}():\n    return K\n" for name in ("a", "b")}
    ex = TrustedExecutor(make_task(code))
    assert (ex.run(call("a")).content, ex.run(call("b")).content) == ("a", "b")
    assert ex.module("a") is not ex.module("b")
    assert ex.module("missing") is None


# --- time limits --------------------------------------------------------------------------------------------------

def test_timeout_on_the_main_thread_clears_the_timer():
    assert threading.current_thread() is threading.main_thread()
    ex = TrustedExecutor(make_task({"spin": SPIN_CODE}), timeout=QUICK_TIMEOUT_S)
    started = time.monotonic()
    result = ex.run(call("spin"))
    assert result == ToolResult("an error occured when call spin: the call timed out after 0.2 s", "timeout")
    assert QUICK_TIMEOUT_S <= time.monotonic() - started < SLACK_S
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.slow
def test_sigalrm_outside_a_call_keeps_its_default_meaning():
    # toolgym's handler stays installed after a call; a later SIGALRM must still end the process as by default.
    code = ("import signal, time\n"
            "from tests.unit.execution.tasks import make_task\n"
            "from toolgym.execution import TrustedExecutor\n"
            "from toolgym.models.calls import ToolCall\n"
            "ex = TrustedExecutor(make_task({'divide': %r}))\n"
            "print(ex.run(ToolCall('divide', '{\"a\": 1, \"b\": 4}')).content, flush=True)\n"
            "signal.setitimer(signal.ITIMER_REAL, 0.05)\n"
            "time.sleep(5)\n"
            "print('survived')\n") % DIVIDE_CODE
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                          cwd=Path(__file__).parents[3])
    assert done.stdout == "0.25\n" and done.returncode == -signal.SIGALRM


def test_a_tool_catching_exception_cannot_swallow_the_timeout(executor):
    quick = TrustedExecutor(executor.task, timeout=QUICK_TIMEOUT_S)
    assert quick.run(call("stubborn")).error == "timeout"


def test_an_outer_timer_and_handler_survive_a_call(executor):
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        assert executor.run(call("divide", '{"a": 1, "b": 4}')).content == "0.25"
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 4.0 < remaining <= 5.0
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        time.sleep(0.1)
        assert fired == [signal.SIGALRM]  # still the outer handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_in_thread(ex: TrustedExecutor, tool_call: ToolCall) -> tuple[ToolResult, float]:
    """Run one call from a non-main thread; return its result and how long it took."""
    out: dict[str, tuple[ToolResult, float]] = {}

    def target() -> None:
        started = time.monotonic()
        out["result"] = (ex.run(tool_call), time.monotonic() - started)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(SLACK_S * 2)
    return out["result"]


def test_timeout_off_the_main_thread_abandons_the_worker_and_recovers():
    ex = TrustedExecutor(make_task({"spin_until_stopped": STOPPABLE_CODE, "divide": DIVIDE_CODE}),
                         timeout=QUICK_TIMEOUT_S)
    module = ex.module("spin_until_stopped")
    try:
        result, took = run_in_thread(ex, call("spin_until_stopped"))
        assert result == ToolResult("an error occured when call spin_until_stopped: the call timed out after 0.2 s",
                                    "timeout")
        assert QUICK_TIMEOUT_S <= took < SLACK_S
        assert ex._worker is None  # the stuck thread was given up
        assert run_in_thread(ex, call("divide", '{"a": 1, "b": 2}'))[0] == ToolResult("0.5")  # on a new worker
        assert ex._worker is not None
    finally:
        module.STOP = True
        ex.close()


@pytest.mark.slow
def test_a_runaway_worker_thread_does_not_hang_interpreter_exit():
    script = textwrap.dedent(f"""
        import threading
        from tests.unit.execution.tasks import make_task
        from toolgym.execution import TrustedExecutor
        from toolgym.models.calls import ToolCall
        ex = TrustedExecutor(make_task({{"spin": {SPIN_CODE!r}}}), timeout=0.1)
        out = []
        t = threading.Thread(target=lambda: out.append(ex.run(ToolCall("spin"))))
        t.start(); t.join()
        print(out[0].error)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "timeout"


def test_no_time_limit():
    ex = TrustedExecutor(make_task({"divide": DIVIDE_CODE}), timeout=None)
    assert ex.run(call("divide", '{"a": 3, "b": 2}')) == ToolResult("1.5")
    assert run_in_thread(ex, call("divide", '{"a": 3, "b": 2}'))[0] == ToolResult("1.5")
    assert ex._worker is None  # no limit, no worker thread


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_timeout_must_be_positive(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds or None"):
        TrustedExecutor(make_task({"divide": DIVIDE_CODE}), timeout=timeout)


# --- cache, pickling, close -------------------------------------------------------------------------------------

def test_tasks_with_the_same_content_hash_share_code_and_validators_but_never_modules():
    task = make_task({"divide": DIVIDE_CODE}, task_id="one")
    twin = make_task({"divide": DIVIDE_CODE}, task_id="two")  # the id is not part of the content hash
    other = make_task({"divide": DIVIDE_CODE + "\n# edited\n"})
    assert task.content_hash == twin.content_hash
    assert prepared_tools(task) is prepared_tools(twin)
    assert prepared_tools(other) is not prepared_tools(task)
    one, two = TrustedExecutor(task), TrustedExecutor(twin)
    assert one.module("divide") is not two.module("divide")       # tool state is per executor
    assert one.module("divide") is one.module("divide")
    assert one._tools["divide"].validator is two._tools["divide"].validator
    assert one.module("divide").divide.__code__ is two.module("divide").divide.__code__  # compiled once


def test_the_cache_is_a_bounded_lru():
    assert CACHE_SIZE >= 1
    cache = _TaskCache(2)
    a, b, c = (make_task({"divide": DIVIDE_CODE + f"\n# {i}\n"}) for i in range(3))
    first_a = cache.get(a)
    cache.get(b)
    assert cache.get(a) is first_a          # a is now the most recent
    cache.get(c)                            # evicts b
    assert cache.get(a) is first_a
    assert cache.get(b) is not None and len(cache._items) == 2


def test_pickling_round_trip(executor):
    used = TrustedExecutor(executor.task, timeout=1.5)
    run_in_thread(used, call("divide", '{"a": 1, "b": 2}'))  # starts a worker thread, which cannot be pickled
    clone = pickle.loads(pickle.dumps(used))
    assert (clone.task, clone.timeout) == (executor.task, 1.5)
    assert clone._tools == {} and clone._worker is None      # rebuilt lazily, with fresh tool state
    assert clone.run(call("get_weather", '{"city": "Quellin"}')).content.startswith('{"city": "Quellin"')
    assert clone.module("get_weather") is not executor.module("get_weather")
    used.close()


def test_close_is_idempotent_and_the_executor_stays_usable():
    ex = TrustedExecutor(make_task({"divide": DIVIDE_CODE}))
    run_in_thread(ex, call("divide", '{"a": 1, "b": 1}'))
    ex.close()
    ex.close()
    assert ex.run(call("divide", '{"a": 1, "b": 1}')) == ToolResult("1.0")


# --- compiling lazily and by pieces ---------------------------------------------------------------------------------

def test_tools_compile_on_their_first_call_only():
    task = make_task({"divide": DIVIDE_CODE, "broken": "def broken(:\n", "spin": SPIN_CODE}, task_id="lazy")
    tools = prepared_tools(task)
    assert list(tools) == ["divide", "broken", "spin"] and len(tools) == 3
    assert TrustedExecutor(task).run(call("divide", '{"a": 1, "b": 4}')) == ToolResult("0.25")
    assert set(tools._tools) == {"divide"}  # the others are untouched until called
    assert "does not compile" in TrustedExecutor(task).run(call("broken")).content


@pytest.mark.parametrize("source", [
    "X = 2\n\ndef f():\n    return g() * X\n\ndef g():\n    return 21\n",
    's = """\ndef f(): pass\n"""\ndef f():\n    return s\n',                 # a cut inside a string
    "import functools\n@functools.lru_cache\ndef f():\n    return 42\n",     # a cut between decorator and def
    "from __future__ import annotations\ndef f() -> Undefined:\n    return 42\n",
])
def test_a_source_compiled_by_pieces_runs_as_a_whole_module(source):
    whole: dict = {}
    exec(compile(source, "<tool f>", "exec"), whole)
    assert _fresh_module("f", _module_code("f", source)).f() == whole["f"]()


def test_line_numbers_survive_the_cut():
    source = "X = 1\n\n\ndef f():\n    return g()\n\ndef g():\n    raise ValueError('at line 8')\n"
    with pytest.raises(ValueError) as info:
        _fresh_module("f", _module_code("f", source)).f()
    assert info.traceback[-1].lineno + 1 == 8  # pytest counts from 0


def test_a_sleeping_tool_is_woken_at_its_deadline_on_the_main_thread():
    ex = TrustedExecutor(make_task({"nap": "import time\ndef nap():\n    time.sleep(30)\n"}), timeout=QUICK_TIMEOUT_S)
    started = time.monotonic()
    assert ex.run(call("nap")).error == "timeout"
    assert QUICK_TIMEOUT_S <= time.monotonic() - started < SLACK_S


def test_an_outer_timer_expiring_during_a_call_fires_after_it():
    ex = TrustedExecutor(make_task({"nap": "import time\ndef nap():\n    time.sleep(0.3)\n    return 'rested'\n"}))
    fired: list[float] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(time.monotonic()))
    try:
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        assert ex.run(call("nap")) == ToolResult("rested")  # the outer alarm did not cut the call short
        assert len(fired) == 1 and fired[0] - started >= 0.3  # held until the call ended, then delivered
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_many_quick_calls_are_never_interrupted_late():
    # the watchdog's signal for an expired call must never land in a later call (the later calls have a limit no
    # slow spell of a loaded machine reaches, so a timeout among them could only be a late signal)
    task = make_task({"divide": DIVIDE_CODE, "spin": SPIN_CODE})
    spinning, quick = TrustedExecutor(task, timeout=0.05), TrustedExecutor(task, timeout=60)
    for round in range(3):
        assert spinning.run(call("spin")).error == "timeout"
        for _ in range(2000):
            assert quick.run(call("divide", '{"a": 1, "b": 4}')) == ToolResult("0.25")

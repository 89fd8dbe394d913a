"""Executors with `ftrl=True` run calls as the reference's `get_feedback` does: no schema check, Python's own error
text, the reference's rendering. The default (`ftrl=False`) is unchanged."""

from __future__ import annotations

import json
from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.execution.tasks import make_task
from toolgym.execution import SandboxExecutor, TrustedExecutor, WorkerPool
from toolgym.execution.ftrl import exception_text, ftrl_arguments, ftrl_invoke, ftrl_render
from toolgym.models.calls import ToolCall, ToolResult

YEAR = {"type": "object", "properties": {"city": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["city"]}
WEATHER = "def weather(city, year=2024):\n    return {'city': city, 'year': year}\n"


def weather_task():
    return make_task({"weather": WEATHER}, {"weather": YEAR})


@pytest.mark.parametrize(("value", "text"), [
    ({"a": [1, (2, 3)]}, '{"a": [1, [2, 3]]}'),
    (["é", None, float("nan")], '["é", null, NaN]'),
    ((1, "a"), "(1, 'a')"),
    (OrderedDict(a=1), "OrderedDict([('a', 1)])"),
    ({1, 2}, "{1, 2}"),
    (None, "None"),
    (2.50, "2.5"),
    ("plain", "plain"),
])
def test_values_render_as_the_reference_renders_them(value, text):
    assert ftrl_render(value) == text


@pytest.mark.parametrize(("value", "error"), [
    ({"a": {1}}, "Object of type set is not JSON serializable"),
    ({(1, 2): "a"}, "keys must be str, int, float, bool or None, not tuple"),
])
def test_unencodable_values_are_errors_with_jsons_text(value, error):
    assert ftrl_invoke("f", lambda: value, {}) == ToolResult(f"an error occured when call f: {error}", "exception")


def test_circular_values_are_errors_with_jsons_text():
    loop: list = []
    loop.append(loop)
    assert ftrl_invoke("f", lambda: loop, {}).content == "an error occured when call f: Circular reference detected"


def test_errors_are_worded_by_their_message_alone():
    def fail():
        raise KeyError("city")

    class Broken(Exception):
        def __str__(self):
            raise RuntimeError

    assert ftrl_invoke("f", fail, {}).content == "an error occured when call f: 'city'"
    assert ftrl_invoke("f", lambda: exit(3), {}).content == "an error occured when call f: 3"
    assert exception_text(Broken()) == "Broken"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)))
def test_ftrl_arguments_take_any_json_object_and_refuse_anything_else(value):
    result = ftrl_arguments(ToolCall("f", json.dumps(value)))
    if isinstance(value, dict):
        assert result == value
    else:
        assert result == ToolResult("an error occured when call f: utils.utils.f() argument after ** must be a "
                                    f"mapping, not {type(value).__name__}", "invalid_arguments")


def test_invalid_json_gets_the_decoders_message():
    assert ftrl_arguments(ToolCall("f", "{")).content == ("an error occured when call f: Expecting property name "
                                                          "enclosed in double quotes: line 1 column 2 (char 1)")


def test_the_trusted_executor_skips_the_schema_only_with_ftrl():
    call = ToolCall("weather", '{"city": "Zorvik", "year": null}')
    assert TrustedExecutor(weather_task(), ftrl=True).run(call) == ToolResult('{"city": "Zorvik", "year": null}')
    assert TrustedExecutor(weather_task()).run(call).error == "invalid_arguments"


def test_the_sandbox_skips_the_schema_only_with_ftrl():
    pool = WorkerPool(1)
    try:
        call = ToolCall("weather", '{"city": "Zorvik", "year": null}')
        assert SandboxExecutor(weather_task(), ftrl=True, pool=pool).run(call) == ToolResult(
            '{"city": "Zorvik", "year": null}')
        assert SandboxExecutor(weather_task(), pool=pool).run(call).error == "invalid_arguments"
        assert SandboxExecutor(weather_task(), ftrl=True, pool=pool).run(ToolCall("weather", "[1]")).content == (
            "an error occured when call weather: utils.utils.weather() argument after ** must be a mapping, "
            "not list")
    finally:
        pool.close()


def test_the_sandbox_renders_and_words_errors_as_the_reference_with_ftrl():
    code = {"shape": "from collections import OrderedDict\n"
                     "def shape(kind):\n"
                     "    if kind == 'raise':\n"
                     "        raise KeyError('city')\n"
                     "    return {'t': (1, 2), 'o': OrderedDict(a=1), 's': {1}}[kind]\n"}
    schema = {"shape": {"type": "object", "properties": {"kind": {"type": "string"}}}}
    pool = WorkerPool(1)
    try:
        def run(kind, ftrl):
            return SandboxExecutor(make_task(code, schema), ftrl=ftrl, pool=pool).run(
                ToolCall("shape", json.dumps({"kind": kind})))
        assert run("t", True).content == "(1, 2)" and run("t", False).content == "[1, 2]"
        assert run("o", True).content == "OrderedDict([('a', 1)])" and run("o", False).content == '{"a": 1}'
        assert run("s", True).content == "{1}"
        assert run("raise", True).content == "an error occured when call shape: 'city'"
        assert run("raise", False).content != run("raise", True).content  # toolgym's own wording names the type
    finally:
        pool.close()

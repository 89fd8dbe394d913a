"""Typed parameters a model declares for an `llm`-backend tool: checked into `Param`s (hostile declarations are
refused with a message for the model), and end to end over the scripted server: the schema the task ships, the
gold call, the executor's argument validation."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.fixtures import generation_server as gs
from tests.fixtures.extras import require
from tests.fixtures.generation_server import Answer, GenerationServer
from toolgym.cli import main
from toolgym.cli.commands import task_problems
from toolgym.execution import SandboxExecutor
from toolgym.generation.backends.llm.params import tool_params
from toolgym.generation.backends.llm.replies import ToolReply
from toolgym.models import load_tasks
from toolgym.models.calls import ToolCall
from toolgym.models.task import schema_problem

UNITS = {"name": "units", "type": "enum", "values": ["metric", "imperial"], "description": "Unit system.",
         "required": True, "example": "metric"}
DAYS = {"name": "days", "type": "integer", "minimum": 1, "maximum": 30, "description": "Days ahead."}
VERBOSE = {"name": "verbose", "type": "boolean", "description": "Longer answer."}


def declared(*extra):
    return ToolReply.model_validate({"name": "get_hotel_stars", "description": "Stars of a hotel.",
                                     "parameter": "hotel", "parameter_description": "The hotel's name.",
                                     "extra_parameters": list(extra)})


def test_declared_parameters_become_typed_params():
    params, problems = tool_params(declared(UNITS, DAYS, VERBOSE))
    assert problems == []
    assert [(p.name, p.type_class, p.required) for p in params] == [
        ("hotel", "string", True), ("units", "enum", True), ("days", "integer", False),
        ("verbose", "boolean", False)]
    assert params[1].schema_ == {"type": "string", "enum": ["metric", "imperial"]} and params[1].gold_value == \
        "metric"
    assert params[2].schema_ == {"type": "integer", "minimum": 1, "maximum": 30} and params[2].gold_value is None


@pytest.mark.parametrize("extra, words", [
    ({**DAYS, "name": "hotel"}, "'hotel' is taken or repeated"),
    ({**DAYS, "name": "field"}, "'field' is taken"),  # the merged tool's selector
    ({**DAYS, "name": "class"}, "reserved in Python"),
    ({**DAYS, "name": "__class__"}, "reserved in Python"),
    ({**UNITS, "values": ["metric"]}, "at least two distinct"),
    ({**UNITS, "values": ["metric", "metric"]}, "at least two distinct"),
    ({**UNITS, "example": "kelvin"}, "the example breaks its schema"),
    ({**UNITS, "example": None}, "give an 'example'"),
    ({**DAYS, "required": True, "example": 31}, "the example breaks its schema"),
    ({**DAYS, "required": True, "example": True}, "the example breaks its schema"),  # a bool is no integer
    ({**DAYS, "minimum": 40}, "the minimum is above the maximum"),
    ({**VERBOSE, "minimum": 0}, "only an integer or number"),
    ({**VERBOSE, "values": ["yes", "no"]}, "only an enum has 'values'"),
])
def test_a_hostile_declaration_is_refused_with_a_reason(extra, words):
    params, problems = tool_params(declared(extra))
    assert any(words in p for p in problems), problems


@pytest.mark.parametrize("extra", [
    {**DAYS, "type": "object"}, {**DAYS, "name": "x; import os"}, {**DAYS, "name": "a" * 65},
    {**UNITS, "values": [str(i) for i in range(13)]}, {**UNITS, "values": [1, 2]},
    {**DAYS, "minimum": float("inf")}, {**DAYS, "required": True, "example": {"a": 1}},
    {**DAYS, "required": True, "example": float("nan")}, {**DAYS, "description": "x" * 601},
])
def test_a_declaration_outside_the_reply_model_is_a_validation_error(extra):
    with pytest.raises(ValidationError):
        declared(extra)


def test_at_most_four_extra_parameters():
    with pytest.raises(ValidationError):
        declared(*({**VERBOSE, "name": f"flag{i}"} for i in range(5)))


_names = st.sampled_from(["hotel", "field", "units", "days", "class", "_x", "limit", "limit"])
_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 50), st.floats(-5, 50), st.sampled_from(
    ["metric", "imperial", "x", ""]))
_declaration = st.fixed_dictionaries(
    {"name": _names, "type": st.sampled_from(["string", "integer", "number", "boolean", "enum"]),
     "description": st.just("d")},
    optional={"required": st.booleans(), "example": _values,
              "values": st.lists(st.sampled_from(["metric", "imperial", "x"]), max_size=4),
              "minimum": st.one_of(st.none(), st.integers(-5, 50)), "maximum": st.one_of(st.none(),
                                                                                          st.integers(-5, 50))})


@settings(max_examples=150, deadline=None)
@given(st.lists(_declaration, max_size=4))
def test_any_accepted_declaration_makes_a_valid_schema_and_gold_value(extra):
    """Whatever a model declares: problems for the model, or parameters whose schemas are valid JSON Schema,
    with distinct names, and whose required ones carry a gold value their schema accepts."""
    from toolgym.execution.validation import compile_validator
    params, problems = tool_params(declared(*extra))
    if problems:
        return
    names = [p.name for p in params]
    assert len(set(names)) == len(names) and "field" not in names
    properties = {p.name: p.schema_ for p in params}
    assert schema_problem({"type": "object", "properties": properties}) is None
    validator = compile_validator({"type": "object", "properties": properties})
    assert all(validator.check({p.name: p.gold_value}) is None for p in params[1:] if p.required)


# -- end to end --------------------------------------------------------------------------------------------------

def _typed(extra):
    ok = gs.llm_ok("l2")

    def respond(request, server):
        if gs.stage_of(request) == "document":
            return Answer(gs.documents(request, extra))
        if gs.stage_of(request) == "scale":  # distractors declare them too (their probe call must send units)
            reply = json.loads(gs.distractors(request))
            return Answer(json.dumps({"tools": [{**t, "extra_parameters": extra} for t in reply["tools"]]}))
        return ok(request, server)
    return respond


def test_typed_parameters_reach_the_task_the_gold_plan_and_the_executor(tmp_path):
    require("openai")
    out = tmp_path / "l.jsonl"
    with GenerationServer(_typed([UNITS, DAYS, VERBOSE])) as server:
        assert main(["generate", "--backend", "llm", "--base-url", server.base_url, "--model", "scripted",
                     "--domains", "travel", "--levels", "2", "--n", "1", "--out", str(out)]) == 0
    [task] = load_tasks(out)
    assert task_problems(task) == []
    [tool] = [t for t in task.tools if t.function.name == "get_hotel_price"]
    parameters = tool.function.parameters
    assert parameters["properties"]["days"] == {"type": "integer", "minimum": 1, "maximum": 30,
                                                "description": "Days ahead."}
    assert sorted(parameters["required"]) == ["hotel", "units"]
    distractors = [t for t in task.tools if t.function.name.startswith("get_museum")]
    assert distractors and all("units" in t.function.parameters["required"] for t in distractors)
    assert all(call.arguments["units"] == "metric" for call in task.gold_plan[0])  # the declared example
    deploy = next(gs.first_user(r) for r in server.log if gs.stage_of(r) == "deploy" and "Hotel Ara" in
                  gs.first_user(r))
    assert "get_hotel_price(hotel, units=None, days=None, verbose=None)" in deploy and "`days` (integer" in deploy
    executor = SandboxExecutor(task)
    try:
        good = executor.run(ToolCall.of("get_hotel_price", {"hotel": "Hotel Ara", "units": "metric", "days": 3}))
        assert good.ok and "120" in good.content
        for bad in ({"hotel": "Hotel Ara", "units": "kelvin"}, {"hotel": "Hotel Ara", "units": "metric",
                                                                "days": 31}, {"hotel": "Hotel Ara"}):
            assert executor.run(ToolCall.of("get_hotel_price", bad)).error == "invalid_arguments", bad
    finally:
        executor.close()


def test_a_hostile_schema_is_fed_back_and_the_task_rejected(tmp_path):
    require("openai")
    out = tmp_path / "l.jsonl"
    hostile = [{**DAYS, "name": "class"}, {**UNITS, "example": "kelvin"}]
    with GenerationServer(_typed(hostile)) as server:
        main(["generate", "--backend", "llm", "--base-url", server.base_url, "--model", "scripted", "--domains",
              "travel", "--levels", "2", "--n", "1", "--max-attempts", "1", "--out", str(out)])
    assert load_tasks(out) == []
    assert json.loads((tmp_path / "l.jsonl.manifest.json").read_text())["rejections"] == {"invalid_document": 1}
    feedback = [gs.feedback(r) for r in server.log if gs.stage_of(r) == "document" and gs.turns(r)]
    assert len(feedback) == 2 and all("reserved in Python" in f and "breaks its schema" in f for f in feedback)

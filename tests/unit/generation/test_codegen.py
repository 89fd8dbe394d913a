import json

import pytest

from tests.unit.generation.domain_checks import load_tool, tool_error_problems
from toolgym.generation.backends.procedural.calculator import AGGREGATE_TOOL, CALCULATOR_SOURCE, aggregate
from toolgym.generation.pipeline import generate_task


def test_calculator_operations():
    assert aggregate("sum", [1, 2]) == 3 and aggregate("mean", [1, 2]) == 1.5
    assert aggregate("difference", [3, 10]) == 7 and aggregate("max", [3, 10]) == 10
    assert aggregate("mean", [1, 1, 2]) == 1.33
    with pytest.raises(ValueError, match="exactly two"):
        aggregate("difference", [1, 2, 3])


def test_calculator_errors_are_strings():
    namespace: dict = {}
    exec(CALCULATOR_SOURCE, namespace)
    calculate = namespace[AGGREGATE_TOOL]
    for bad in ({}, {"operation": "sum"}, {"operation": "pow", "values": [1]}, {"operation": "sum", "values": []},
                {"operation": "sum", "values": ["1"]}):
        assert calculate(**bad).startswith("Error:")


def test_every_tool_refuses_invalid_arguments():
    for level in (1, 3, 5):
        assert tool_error_problems(generate_task("shopping", level, 2)) == []


def test_tools_return_their_field_for_valid_arguments():
    task = generate_task("travel", 3, 0)
    call = task.gold_plan[0][0]
    result = load_tool(task, call.name)(**call.arguments)
    # a lookup has the answer as a value; a search (generator 0.3.0) within its results
    assert isinstance(result, dict) and task.expected[call.name][0] in json.dumps(result)


def test_distractors_are_callable_and_plausible():
    task = generate_task("travel", 5, 0)
    entities = {c.name: c.arguments for turn in task.gold_plan for c in turn}
    for name in set(task.tool_names) - set(task.expected):
        tool = load_tool(task, name)
        schema = next(t.function.parameters for t in task.tools if t.name == name)
        subject = next(iter(schema["properties"]))
        known = next((a[subject] for a in entities.values() if subject in a), None)
        if known is not None:
            args = {subject: known}
            if "field" in schema["properties"]:
                args["field"] = schema["properties"]["field"]["enum"][0]
            for p in schema.get("required", []):
                args.setdefault(p, {"date": "2025-01-01"}.get(schema["properties"][p].get("format"),
                                    (schema["properties"][p].get("enum") or [None])[0]))
            result = tool(**{k: v for k, v in args.items() if v is not None})
            assert isinstance(result, (dict, str))


def test_near_duplicates_are_named_like_a_needed_tool():
    from toolgym.generation.measure import measure_task

    for index in range(3):
        assert measure_task(generate_task("travel", 4, index)).near_duplicates >= 1


def test_calculator_comparisons_answer_with_a_label_or_yes_no():
    assert aggregate("argmax", [3, 10, 7], ["a", "b", "c"]) == "b"
    assert aggregate("argmin", [3, 10, 7], ["a", "b", "c"]) == "a"
    assert aggregate("greater", [3, 10]) == "no" and aggregate("less", [3, 10]) == "yes"
    with pytest.raises(ValueError, match="needs 'labels'"):
        aggregate("argmax", [1, 2], ["only one"])
    with pytest.raises(ValueError, match="exactly two"):
        aggregate("greater", [1, 2, 3])


def test_an_unknown_name_close_to_a_known_one_gets_a_suggestion():
    task = generate_task("wine", 1, 0)
    call = task.gold_plan[0][0]
    tool = load_tool(task, call.name)
    subject = next(iter(call.arguments))
    typo = {**call.arguments, subject: call.arguments[subject][:-1] + "q"}
    assert tool(**typo) == (f"Error: unknown {task.code[call.name].split(chr(39))[1]} {typo[subject]!r}. "
                            f"Did you mean {call.arguments[subject]!r}?")
    assert "Did you mean" not in tool(**{**call.arguments, subject: "Nobody Anywhere"})

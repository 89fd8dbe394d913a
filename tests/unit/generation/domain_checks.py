"""Checks every domain must pass; a domain's test file is one call to `check_domain`."""

from __future__ import annotations

from typing import Any

from toolgym.generation.checks import leak_problems, replay_problems, structure_problems
from toolgym.generation.domains import domain_problems, get_domain
from toolgym.generation.levels import LEVELS
from toolgym.generation.pipeline import generate_task
from toolgym.models.task import Task

INDICES = (0, 1)
UNKNOWN_ENTITY = "Nobody Anywhere"


def load_tool(task: Task, name: str) -> Any:
    """The function tool `name` defines, executed directly (no executor-side validation)."""
    namespace: dict[str, Any] = {}
    exec(compile(task.code[name], f"<{name}>", "exec"), namespace)
    return namespace[name]


def invalid_calls(task: Task, name: str) -> list[dict[str, Any]]:
    """Argument sets the tool must refuse: nothing at all, an unknown entity, each enum/range broken."""
    schema = next(t.function.parameters for t in task.tools if t.name == name)
    properties, required = schema["properties"], schema.get("required", [])
    gold = next((c.arguments for turn in task.gold_plan or () for c in turn if c.name == name), None)
    if gold is None:  # a distractor: build valid arguments from the schema
        gold = {p: (properties[p].get("enum") or ["Someone"])[0] for p in required}
    calls: list[dict[str, Any]] = [{}] if required else []
    subject = next(iter(properties))
    if name != "calculate":
        calls.append({**gold, subject: UNKNOWN_ENTITY})
    for param, spec in properties.items():
        if "enum" in spec:
            calls.append({**gold, param: "not-a-valid-choice"})
        if "maximum" in spec:
            calls.append({**gold, param: spec["maximum"] + 1})
    return calls


def tool_error_problems(task: Task) -> list[str]:
    """Tools that do not answer invalid arguments with an "Error: ..." string."""
    problems = []
    for name in task.tool_names:
        function = load_tool(task, name)
        for arguments in invalid_calls(task, name):
            result = function(**arguments)
            if not (isinstance(result, str) and result.startswith("Error:")):
                problems.append(f"{name}({arguments}) returned {result!r}")
    return problems


def task_problems(task: Task) -> list[str]:
    """Everything wrong with one generated task."""
    return (replay_problems(task) + leak_problems(task) + structure_problems(task) + tool_error_problems(task))


def check_domain(name: str, indices: tuple[int, ...] = INDICES) -> None:
    """Every level of domain `name` generates valid, deterministic tasks."""
    assert domain_problems(get_domain(name)) == []
    for level in LEVELS:
        for index in indices:
            task = generate_task(name, level, index)
            assert task.domain == name and task.level == level
            assert task_problems(task) == [], (level, index, task_problems(task))
            assert generate_task(name, level, index) == task

"""Measuring a generated task's structure from the `Task` record alone, to check it against the level table.

Everything is read from what a user sees (tool documents, the gold plan, expected answers), not from generator
internals, so the same measure applies to tasks loaded from a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from toolgym.generation.backends.procedural.surface import NEAR_DUPLICATE_SUFFIXES, VERBS, snake
from toolgym.generation.models import AGGREGATE_TOOL, FIELD_PARAM
from toolgym.models.task import Task

# Verbs and suffixes that make near-duplicate distractors of a needed tool's name (see procedural/surface.py),
# read on the name in snake case.
_NEAR_PARTS = re.compile(rf"^({'|'.join(VERBS)})_|_({'|'.join(NEAR_DUPLICATE_SUFFIXES)})$")


@dataclass(frozen=True)
class TaskMeasure:
    """The structure of one task: chains, sub-answers, tools, parameters."""

    scenario: str
    sub_answers: int
    chain_lengths: tuple[int, ...]   # lookups per chain (a chain ends in the aggregation or the answer)
    aggregated: bool                 # whether a calculation joins the chains
    turns: int
    needed_tools: int
    distractors: int
    near_duplicates: int             # distractors named like a needed tool
    merged_tools: int                # needed lookups serving several fields
    params_per_tool: tuple[int, ...]   # per needed lookup tool
    required_per_tool: tuple[int, ...]  # per needed lookup tool
    param_types: frozenset[str]      # type classes of every lookup tool's parameters

    @property
    def hops(self) -> int:
        """The longest chain."""
        return max(self.chain_lengths)


def type_class(schema: dict[str, Any]) -> str:
    """string, enum, date, integer, number, boolean, array or object."""
    kind = schema.get("type", "any")
    if kind == "string" and "enum" in schema:
        return "enum"
    if kind == "string" and schema.get("format") == "date":
        return "date"
    return str(kind)


def _stem(name: str) -> str:
    return _NEAR_PARTS.sub("", _NEAR_PARTS.sub("", snake(name)))


def _call_answers(task: Task) -> list[tuple[str, dict[str, Any], str]]:
    """(tool, arguments, sub-answer) per gold call, in order: expected lists answers in call order per tool."""
    pending = {name: list(answers) for name, answers in task.expected.items()}
    return [(c.name, c.arguments, pending[c.name].pop(0)) for turn in task.gold_plan or () for c in turn]


def chain_lengths(task: Task) -> tuple[int, ...]:
    """Lookups per chain: a lookup continues a chain when one of its arguments is an earlier lookup's answer."""
    depth: dict[int, int] = {}
    continued: set[int] = set()
    calls = [c for c in _call_answers(task) if c[0] != AGGREGATE_TOOL]
    for i, (_, arguments, _) in enumerate(calls):
        values = {str(v) for v in arguments.values()}
        parents = [j for j in range(i) if calls[j][2] in values]
        depth[i] = 1 + max((depth[j] for j in parents), default=0)
        continued.update(parents)
    return tuple(depth[i] for i in range(len(calls)) if i not in continued)


def measure_task(task: Task) -> TaskMeasure:
    """Measure `task` (it must have a gold plan)."""
    if task.gold_plan is None:
        raise ValueError(f"task {task.id!r} has no gold plan to measure")
    needed = set(task.expected)
    specs = {t.name: t.function.parameters for t in task.tools}
    lookups = [n for n in task.tool_names if n in needed and n != AGGREGATE_TOOL]
    stems = {_stem(n) for n in needed}
    distractors = [n for n in task.tool_names if n not in needed]
    merged = [n for n in lookups if len(specs[n]["properties"].get(FIELD_PARAM, {}).get("enum", ())) > 1]
    return TaskMeasure(
        scenario=task.scenario.value, sub_answers=task.num_expected, chain_lengths=chain_lengths(task),
        aggregated=AGGREGATE_TOOL in needed, turns=len(task.gold_plan), needed_tools=len(needed),
        distractors=len(distractors), near_duplicates=sum(_stem(n) in stems for n in distractors),
        merged_tools=len(merged),
        params_per_tool=tuple(len(specs[n]["properties"]) for n in lookups),
        required_per_tool=tuple(len(specs[n].get("required", ())) for n in lookups),
        param_types=frozenset(type_class(p) for n in task.tool_names if n != AGGREGATE_TOOL
                              for p in specs[n]["properties"].values()))

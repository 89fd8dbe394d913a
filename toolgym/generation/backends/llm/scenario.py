"""Stage 1 of the `llm` backend, checked: a model's `ScenarioReply` becomes a `Scenario`, or the problems go back.

The model gives the question and the sub-questions (kind, subject, field, answer, what each depends on) and, for
parallel scenarios, the aggregation's operation. Everything that can be computed is: hops and branches from the
dependencies, values from the answers (numbers where they read as numbers), the aggregate by toolgym's
calculator (the very tool the task ships), the final answer, and the world (each subject with the fields looked
up). The structure must fit the level's row of the table (scenario, branches, hops).
"""

from __future__ import annotations

import re

from toolgym.generation.backends.llm.client import ReplyProblem
from toolgym.generation.backends.llm.replies import ScenarioReply, SubQuestionReply
from toolgym.generation.backends.procedural.calculator import (AGGREGATE_OPERATIONS, PAIR_ONLY_OPERATIONS,
                                                              aggregate)
from toolgym.generation.levels import LevelConfig
from toolgym.generation.models import Aggregation, Entity, Scenario, SubQuestion, Value
from toolgym.models.task import ScenarioKind
from toolgym.reward.matching import strict_match

_INTEGER, _DECIMAL = re.compile(r"^-?\d+$"), re.compile(r"^-?\d+\.\d+$")
_PARALLEL = (ScenarioKind.PARALLEL_SINGLE_HOP, ScenarioKind.PARALLEL_MULTI_HOP)


def to_value(answer: str) -> Value:
    """A number when the answer reads as one (so the tool returns a number and aggregates can use it)."""
    text = answer.strip()
    if _INTEGER.match(text) and len(text) < 19:
        return int(text)
    if _DECIMAL.match(text) and len(text) < 19:
        return float(text)
    return text


def structure_text(config: LevelConfig) -> str:
    """The structure a level asks for, in the prompt's words."""
    b, h = config.branches, config.hops
    chains = f"{b[0]}" if b[0] == b[1] else f"{b[0]} to {b[1]}"
    hops = f"{h[0]}" if h[0] == h[1] else f"{h[0]} to {h[1]}"
    if config.scenario is ScenarioKind.SINGLE_HOP:
        return "one sub-question; its answer is the final answer; no aggregation."
    if config.scenario is ScenarioKind.MULTI_HOP:
        return (f"one chain of {hops} sub-questions, each one's subject being the previous one's answer; the last "
                "answer is the final answer; no aggregation.")
    return (f"{chains} independent chains of {hops} sub-question(s) each; the last answer of every chain is a "
            f"number, and an aggregation ({', '.join(AGGREGATE_OPERATIONS)}) combines them into the final answer.")


def aggregation_text(config: LevelConfig) -> str:
    if config.scenario not in _PARALLEL:
        return "null"
    return (f'{{"operation": "<one of {", ".join(AGGREGATE_OPERATIONS)}>", '
            '"depends_on": ["<the last sub-question id of each chain>", ...]}')


def _chains(questions: list[SubQuestionReply]) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """hop and branch per id, and problems with the dependencies."""
    hop: dict[str, int] = {}
    branch: dict[str, int] = {}
    by_id = {q.id: q for q in questions}
    problems, roots = [], 0
    for q in questions:
        if q.id in hop:
            problems.append(f"the id {q.id} is used twice")
            continue
        if not q.depends_on:
            hop[q.id], branch[q.id] = 0, roots
            roots += 1
        elif len(q.depends_on) > 1 or q.depends_on[0] not in hop:
            problems.append(f"{q.id} must depend on exactly one earlier sub-question, got {q.depends_on}")
        else:
            parent = by_id[q.depends_on[0]]
            if q.subject.casefold() != parent.answer.casefold():
                problems.append(f"{q.id}'s subject must be {parent.id}'s answer {parent.answer!r}, got {q.subject!r}")
            hop[q.id], branch[q.id] = hop[parent.id] + 1, branch[parent.id]
    return hop, branch, problems


def _structure_problems(config: LevelConfig, questions: list[SubQuestionReply], hop: dict[str, int],
                        branch: dict[str, int]) -> list[str]:
    depended = {d for q in questions for d in q.depends_on}
    leaves = [q.id for q in questions if q.id not in depended]
    lengths = [1 + hop[leaf] for leaf in leaves if leaf in hop]
    problems = []
    if len(set(branch[leaf] for leaf in leaves if leaf in branch)) != len(leaves):
        problems.append("a chain must not fork: each sub-question is depended on at most once")
    if not config.branches[0] <= len(leaves) <= config.branches[1]:
        problems.append(f"there must be {config.branches[0]}-{config.branches[1]} chain(s), got {len(leaves)}")
    if any(not config.hops[0] <= n <= config.hops[1] for n in lengths):
        problems.append(f"each chain must have {config.hops[0]}-{config.hops[1]} sub-question(s), got {lengths}")
    if len(questions) + (len(leaves) > 1) > config.max_sub_answers:
        problems.append(f"at most {config.max_sub_answers} lookups and aggregation in all")
    return problems


def _aggregation(reply: ScenarioReply, leaves: list[str], values: dict[str, Value], parallel: bool
                 ) -> tuple[Aggregation | None, list[str]]:
    agg = reply.aggregation
    if not parallel:
        return None, ([] if agg is None else ["this structure takes no aggregation: set it to null"])
    if agg is None:
        return None, ["an aggregation is required"]
    if agg.operation not in AGGREGATE_OPERATIONS:
        return None, [f"the operation must be one of {', '.join(AGGREGATE_OPERATIONS)}, got {agg.operation!r}"]
    if sorted(agg.depends_on) != sorted(leaves):
        return None, [f"the aggregation must depend on the last sub-question of each chain: {leaves}"]
    numbers = [values[i] for i in agg.depends_on]
    if not all(isinstance(v, (int, float)) for v in numbers):
        return None, [f"the answers the aggregation combines must be numbers, got {numbers}"]
    if agg.operation in PAIR_ONLY_OPERATIONS and len(numbers) != 2:
        return None, [f"{agg.operation} combines exactly two numbers"]
    value = aggregate(agg.operation, numbers)  # type: ignore[arg-type]
    return Aggregation(operation=agg.operation, depends_on=tuple(agg.depends_on), answer=str(value),
                       value=value), []


def _world(questions: list[SubQuestion]) -> tuple[dict[str, tuple[Entity, ...]], list[str]]:
    fields: dict[tuple[str, str], dict[str, Value]] = {}
    problems = []
    for q in questions:
        values = fields.setdefault((q.kind, q.subject), {})
        if values.get(q.field, q.value) != q.value:
            problems.append(f"{q.subject}'s {q.field} has two different answers")
        values[q.field] = q.value
    world: dict[str, list[Entity]] = {}
    for (kind, name), values in fields.items():
        world.setdefault(kind, []).append(Entity(name=name, values=values))
    return {k: tuple(v) for k, v in world.items()}, problems


def to_scenario(reply: ScenarioReply, domain: str, config: LevelConfig) -> Scenario:
    """The scenario of a reply; raises `ReplyProblem` listing everything to fix."""
    questions = list(reply.sub_questions)
    hop, branch, problems = _chains(questions)
    if problems:
        raise ReplyProblem("; ".join(problems))
    problems = _structure_problems(config, questions, hop, branch)
    depended = {d for q in questions for d in q.depends_on}
    leaves = [q.id for q in questions if q.id not in depended]
    values = {q.id: to_value(q.answer) for q in questions}
    aggregation, agg_problems = _aggregation(reply, leaves, values, config.scenario in _PARALLEL)
    problems += agg_problems
    sub_questions = [SubQuestion(id=q.id, text=q.text, kind=q.kind, subject=q.subject, field=q.field,
                                 answer=str(values[q.id]), value=values[q.id], depends_on=tuple(q.depends_on),
                                 branch=branch[q.id], hop=hop[q.id]) for q in questions]
    world, world_problems = _world(sub_questions)
    problems += world_problems
    answer = aggregation.answer if aggregation else sub_questions[-1].answer
    every_answer = [q.answer for q in sub_questions] + [answer]
    problems += [f"no answer may contain ', ': {a!r}" for a in every_answer if ", " in a]
    problems += [f"the question must name {q.subject!r}" for q in sub_questions
                 if not q.depends_on and q.subject.casefold() not in reply.question.casefold()]
    problems += [f"the question must not state the answer {a!r}" for a in dict.fromkeys(every_answer)
                 if strict_match(a, reply.question)]
    if problems:
        raise ReplyProblem("; ".join(problems))
    return Scenario(domain=domain, level=config.level, kind=config.scenario, question=reply.question,
                    sub_questions=tuple(sub_questions), aggregation=aggregation, answer=answer, world=world)

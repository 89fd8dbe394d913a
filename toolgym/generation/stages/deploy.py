"""Stage 5: localized deployment (ScaledToolset -> Task), with the checks that make a task trustworthy.

The backend writes the tool sources; this stage assembles the `Task` (schemas, expected multiset, gold plan in
turns), then rejects it if any answer appears in the question, the opening messages or the tool documents, or if
replaying the gold plan with `TrustedExecutor` does not give every sub-answer from its own tool and the final
answer from the last call (matched with `strict_match`).

The replay is a quarter of the cost of a task and never rejected a procedural one (their tool code is written
from the very records that hold the answers), so for a backend that declares `correct_by_construction` it runs on
a sample of attempts only (one in AUDIT_EVERY, chosen by the attempt's own stable key, so a stream is as
deterministic as before) unless the caller asks for it (`replay=True`: the catalog build does). Every other
backend (an LLM's) is replayed always. Tests replay every task of every registered id; `toolgym validate`
replays whatever it reads.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from toolgym.generation.backend import Backend
from toolgym.execution import SandboxExecutor
from toolgym.generation.checks import REPLAY_TIMEOUT_S, leak_problems, replay_problems
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import FIELD_PARAM, FINAL_ID, Param, ScaledToolset, SubQuestion, ToolDocument
from toolgym.generation.stages.errors import GenerationRejected
from toolgym.generation.version import GENERATOR_VERSION
from toolgym.models.memo import IdentityMemo
from toolgym.models.task import LAZY_HASH, GoldCall, Provenance, Task, ToolSpec, opening_messages

AUDIT_EVERY = 64  # one attempt in 64 of a correct-by-construction backend is replayed on the stream's path
_SPECS: IdentityMemo[ToolSpec] = IdentityMemo()


def tool_spec(doc: ToolDocument) -> ToolSpec:
    """The validated tool document of `doc`. Documents recur across tasks (with other `serves`), so the spec is
    remembered per name, description and parameter objects: tasks share it, and with it its schema check, its
    canonical JSON and its argument validator."""
    return _SPECS.get((doc.name, doc.description), doc.params, lambda: ToolSpec.model_validate(tool_schema(doc)))


def tool_schema(doc: ToolDocument) -> dict[str, Any]:
    """The OpenAI function document of `doc`."""
    properties = {p.name: {**p.schema_, "description": p.description} for p in doc.params}
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    required = [p.name for p in doc.params if p.required]
    if required:
        parameters["required"] = required
    return {"type": "function",
            "function": {"name": doc.name, "description": doc.description, "parameters": parameters}}


def lookup_arguments(question: SubQuestion, doc: ToolDocument) -> dict[str, Any]:
    """The gold arguments of the tool answering `question`: subject, field selector (a merged lookup), page (a
    search past its first page), category (a list), other required ones."""
    subject: Param = doc.params[0]
    arguments: dict[str, Any] = {subject.name: question.subject}
    if question.role == "search" and question.page > 1:
        arguments[doc.params[1].name] = question.page
    if question.role == "list":
        arguments[doc.params[1].name] = question.match
    for param in doc.params[1 + (doc.role == "list"):]:
        if param.name == FIELD_PARAM and doc.merged:
            arguments[FIELD_PARAM] = question.field
        elif param.required:
            arguments[param.name] = param.gold_value
    return arguments


def gold_steps(scaled: ScaledToolset) -> list[tuple[int, GoldCall, str]]:
    """(turn, call, sub-answer) for every gold call: a lookup in the turn of its hop, the aggregation last."""
    scenario, tools = scaled.scenario, {t.name: t for t in scaled.tools}
    steps = []
    for question in scenario.sub_questions:
        doc = tools[scaled.assignment[question.id]]
        steps.append((question.hop, GoldCall(name=doc.name, arguments=lookup_arguments(question, doc)),
                      question.answer))
    if scenario.aggregation is not None:
        values = {q.id: q.value for q in scenario.sub_questions}
        arguments = {"operation": scenario.aggregation.operation,
                     "dates" if scenario.aggregation.dates else "values": [values[i] for i in
                                                                           scenario.aggregation.depends_on]}
        if scenario.aggregation.labels:
            arguments["labels"] = list(scenario.aggregation.labels)
        turn = 1 + max(q.hop for q in scenario.sub_questions)
        steps.append((turn, GoldCall(name=scaled.assignment[FINAL_ID], arguments=arguments),
                      scenario.aggregation.answer))
    return sorted(steps, key=lambda step: step[0])  # stable: branch order within a turn


def assemble(scaled: ScaledToolset, code: dict[str, str], ctx: GenerationContext, generator: str = "procedural"
             ) -> Task:
    """The `Task` record of a scaled toolset and its code (validated by the Task model); `generator` names the
    backend in its provenance (only 'procedural' tasks are regenerated from it)."""
    docs = {t.name: t for t in scaled.tools + scaled.distractors}
    steps = gold_steps(scaled)
    expected: dict[str, list[str]] = {}
    for _, call, answer in steps:
        expected.setdefault(call.name, []).append(answer)
    turns = [tuple(call for turn, call, _ in steps if turn == t) for t in sorted({s[0] for s in steps})]
    question = scaled.scenario.question
    # the content hash is computed when first read (LAZY_HASH): a stream's tasks are mostly played, never hashed
    return Task.model_validate(dict(
        id=f"{ctx.domain}-L{ctx.level}-{ctx.split}-s{ctx.seed}-{ctx.index}",
        question=question, messages=opening_messages(question),
        tools=[tool_spec(docs[name]) for name in scaled.order], code=code,
        expected={name: tuple(answers) for name, answers in expected.items()}, answer=scaled.scenario.answer,
        scenario=scaled.scenario.kind, domain=ctx.domain, level=ctx.level, split=ctx.split,
        gold_plan=tuple(turns),
        provenance=Provenance(generator=generator, version=GENERATOR_VERSION, seed=ctx.seed, index=ctx.index)),
        context=LAZY_HASH)


def replays(ctx: GenerationContext, backend: Backend, replay: bool = False) -> bool:
    """Whether this attempt's gold plan is replayed: always when asked or when the backend is not correct by
    construction, else for the audited sample (see the module docstring)."""
    return (replay or getattr(backend, "correct_by_construction", False) is not True
            or ctx.key("audit") % AUDIT_EVERY == 0)


def _sandboxed(task: Task) -> SandboxExecutor:
    return SandboxExecutor(task, timeout=REPLAY_TIMEOUT_S)


def deploy(scaled: ScaledToolset, ctx: GenerationContext, backend: Backend, *, replay: bool = False) -> Task:
    """Write every tool's code, assemble the task, and keep it only if it has no leak and, when it is replayed
    (`replays`), its gold plan gives every answer.

    The replay runs in-process only for code toolgym wrote; a backend whose code a model wrote says so
    (`trusted_code = False`) and its replay runs in the sandbox."""
    deployment = backend.deploy(scaled, ctx)
    try:
        task = assemble(scaled, deployment.code, ctx, generator=backend.name)
    except ValidationError as e:  # a backend wrote an invalid record (a bad schema, say): retry, don't crash
        raise GenerationRejected(f"the assembled task is invalid: {e.errors()[0]['msg']}") from e
    executor = None if getattr(backend, "trusted_code", True) else _sandboxed
    problems = leak_problems(task)
    if not problems and replays(ctx, backend, replay):
        problems = replay_problems(task, executor)
    if problems:
        raise GenerationRejected("; ".join(problems))
    return task

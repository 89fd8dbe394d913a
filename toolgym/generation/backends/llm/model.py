"""The `llm` backend: the model decomposes a question, documents the tools, writes distractors and the tool code.

Stage by stage:

1. decompose: the model's scenario, checked and completed by `scenario.to_scenario` (structure per level).
2. document: one lookup document per sub-question, written by the model (one string parameter, the subject);
   the aggregation is toolgym's calculator.
3. integrate, no model: **overlap criterion**: two lookup documents overlap when they read the same kind of entity
   (their `kind`, the entity their subject parameter names). Overlapping documents of one field become one tool,
   called once per sub-question; of several fields, one merged tool `get_<kind>_info(<subject>, field)` whose
   `field` enum lists them and whose description joins theirs.
4. scale: distractors (a number in the level's range, at most `MAX_DISTRACTORS`) documented by the model; the
   shown order is shuffled.
5. deploy: the model writes each tool's Python source from its document and its data (for a needed tool, the
   fields of the world's entities it serves; a distractor invents its own). The code runs **only** in the
   sandbox (`SandboxExecutor`): every gold call is executed, and every distractor is called once with a probe
   argument; a tool whose gold call fails or lacks its answer, or that crashes, goes back to the model with the
   failure, up to `repair_rounds` times. A task with a tool still failing is rejected: `code_forbidden` when the
   sandbox refused an operation (hostile or careless code), else `code_failed`. Stage 5 then replays the whole
   gold plan in the sandbox again (`trusted_code = False`).
"""

from __future__ import annotations

import json
from typing import Any

from toolgym.execution import SandboxExecutor
from toolgym.generation.backends.llm import prompts
from toolgym.generation.backends.llm.client import LLMClient, raise_problems
from toolgym.generation.backends.llm.errors import LLMRejected
from toolgym.generation.backends.llm.params import tool_params
from toolgym.generation.backends.llm.replies import CodeReply, DistractorsReply, ScenarioReply, ToolReply, ToolsReply
from toolgym.generation.backends.llm.scenario import aggregation_text, structure_text, to_scenario
from toolgym.generation.backends.procedural import calculator
from toolgym.generation.backends.procedural.document import calculator_document, field_selector
from toolgym.generation.backends.procedural.names import invent_unique
from toolgym.generation.checks import REPLAY_TIMEOUT_S, gold_calls
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import get_domain
from toolgym.generation.levels import level_config
from toolgym.generation.models import (AGGREGATE_TOOL, Deployment, Documents, GenerationRequest, Param, Scenario,
                                       ScaledToolset, ToolDocument, Toolset)
from toolgym.generation.stages.deploy import assemble
from toolgym.models.calls import ToolCall
from toolgym.reward.matching import strict_match

DEFAULT_REPAIR_ROUNDS = 2
NAME_HINTS = 4          # invented words offered for the entities' names
MAX_DISTRACTORS = 3     # each one costs a document and a tool's code
PROBE_ARGUMENT = "Example"
OK_ERRORS = (None,)     # a distractor may answer a probe with its own "Error: ..." text, never crash


def _params(tool: ToolReply) -> tuple[Param, ...]:
    """The declared parameters, already checked by the stage's reply check."""
    return tool_params(tool)[0]


class LLMBackend:
    """Every stage driven by the model (see the module docstring)."""

    name = "llm"
    trusted_code = False  # stage 5 replays in the sandbox

    def __init__(self, client: LLMClient, *, repair_rounds: int = DEFAULT_REPAIR_ROUNDS) -> None:
        if repair_rounds < 0:
            raise ValueError(f"repair_rounds must be >= 0, got {repair_rounds}")
        self.client, self.repair_rounds = client, repair_rounds

    # -- stage 1 -------------------------------------------------------------------------------------------------
    def decompose(self, request: GenerationRequest, ctx: GenerationContext) -> Scenario:
        config = level_config(request.level)
        # invented names drawn per attempt make each task's request (and so its reply) differ, and keep the
        # world fictional: the answers can only come from the tools
        rng, taken = ctx.rng("decompose"), set[str]()
        names = ", ".join(invent_unique(rng, taken) for _ in range(NAME_HINTS))
        kinds = ", ".join(k.noun for k in get_domain(request.domain).kinds)
        messages = prompts.render("decompose", domain=request.domain, kinds=kinds, names=names,
                                  structure=structure_text(config), aggregation=aggregation_text(config))
        built: list[Scenario] = []
        self.client.ask("decompose", messages, ScenarioReply,
                        lambda reply: built.append(to_scenario(reply, request.domain, config)))
        return built[-1]

    # -- stage 2 -------------------------------------------------------------------------------------------------
    def document(self, scenario: Scenario, ctx: GenerationContext) -> Documents:
        listing = "\n".join(f"- {q.id}: {q.text} (looks up the {q.field} of a {q.kind})"
                            for q in scenario.sub_questions)
        reply = self.client.ask("document", prompts.render("document", sub_questions=listing), ToolsReply,
                                lambda r: raise_problems(_document_problems(scenario, r)))
        by_id = {q.id: q for q in scenario.sub_questions}
        docs = [ToolDocument(name=t.name, description=t.description, role="lookup", kind=by_id[t.serves].kind,
                             fields=(by_id[t.serves].field,), serves=(t.serves,), params=_params(t))
                for t in sorted(reply.tools, key=lambda t: list(by_id).index(t.serves))]
        if scenario.aggregation is not None:
            docs.append(calculator_document())
        return Documents(scenario=scenario, documents=tuple(docs))

    # -- stage 3 -------------------------------------------------------------------------------------------------
    def integrate(self, documents: Documents, ctx: GenerationContext) -> Toolset:
        groups: dict[str, list[ToolDocument]] = {}
        others = []
        for doc in documents.documents:
            (groups.setdefault(doc.kind, []) if doc.role == "lookup" and doc.kind else others).append(doc)
        tools = [merge(group) for group in groups.values()] + others
        return Toolset(scenario=documents.scenario, tools=tuple(tools),
                       assignment={s: t.name for t in tools for s in t.serves})

    # -- stage 4 -------------------------------------------------------------------------------------------------
    def scale(self, toolset: Toolset, ctx: GenerationContext) -> ScaledToolset:
        rng = ctx.rng("scale")
        low, high = level_config(ctx.level).distractors
        count = min(rng.randint(low, high), MAX_DISTRACTORS)
        distractors: tuple[ToolDocument, ...] = ()
        needed = [t.name for t in toolset.tools]
        if count:
            messages = prompts.render("scale", domain=ctx.domain, names=", ".join(needed), count=count,
                                      question=toolset.scenario.question)
            reply = self.client.ask("scale", messages, DistractorsReply,
                                    lambda r: raise_problems(_distractor_problems(needed, count, r)))
            distractors = tuple(ToolDocument(name=t.name, description=t.description, role="lookup",
                                             params=_params(t)) for t in reply.tools[:count])
        order = needed + [d.name for d in distractors]
        rng.shuffle(order)
        return ScaledToolset(scenario=toolset.scenario, tools=toolset.tools, distractors=distractors,
                             order=tuple(order), assignment=toolset.assignment)

    # -- stage 5 -------------------------------------------------------------------------------------------------
    def deploy(self, scaled: ScaledToolset, ctx: GenerationContext) -> Deployment:
        conversations: dict[str, list[dict[str, str]]] = {}
        code: dict[str, str] = {}
        for doc in scaled.tools + scaled.distractors:
            if doc.role == "aggregate":
                code[doc.name] = calculator.CALCULATOR_SOURCE
                continue
            conversations[doc.name] = prompts.render("deploy", **_code_request(doc, scaled.scenario))
            code[doc.name] = self._write(conversations[doc.name])
        for _ in range(self.repair_rounds):
            failures = self._failures(scaled, code, ctx)
            if not failures:
                return Deployment(code=code)
            for name, (problem, _kind) in failures.items():
                conversations[name] = [*conversations[name],
                                       {"role": "assistant", "content": json.dumps({"code": code[name]})},
                                       prompts.feedback("repair", problem)]
                code[name] = self._write(conversations[name])
        failures = self._failures(scaled, code, ctx)
        if failures:
            kinds = {kind for _, kind in failures.values()}
            detail = "; ".join(f"{name}: {problem}" for name, (problem, _) in failures.items())
            raise LLMRejected("code_forbidden" if "forbidden" in kinds else "code_failed",
                              f"after {self.repair_rounds} repair round(s): {detail}")
        return Deployment(code=code)

    def _write(self, messages: list[dict[str, str]]) -> str:
        return self.client.ask("deploy", messages, CodeReply).code

    def _failures(self, scaled: ScaledToolset, code: dict[str, str], ctx: GenerationContext
                  ) -> dict[str, tuple[str, str | None]]:
        """Tool name -> (what went wrong, the sandbox's error kind), running every gold call and one probe per
        distractor in the sandbox."""
        try:
            task = assemble(scaled, code, ctx, generator=self.name)
        except ValueError as e:  # pydantic's ValidationError: the documents make no valid task
            raise LLMRejected("invalid_task", str(e).splitlines()[0]) from e
        failures: dict[str, tuple[str, str | None]] = {}
        executor = SandboxExecutor(task, timeout=REPLAY_TIMEOUT_S)
        try:
            for call, answer in gold_calls(task):
                if call.name == AGGREGATE_TOOL or call.name in failures:
                    continue
                result = executor.run(ToolCall.of(call.name, call.arguments))
                if not result.ok or not strict_match(answer, result.content):
                    failures[call.name] = (f"{call.name}(**{json.dumps(call.arguments)}) returned "
                                           f"{result.content[:300]!r}; it must return a dict containing "
                                           f"{answer!r}", result.error)
            for doc in scaled.distractors:
                arguments = {doc.params[0].name: PROBE_ARGUMENT,
                             **{p.name: p.gold_value for p in doc.params[1:] if p.required}}
                result = executor.run(ToolCall.of(doc.name, arguments))
                if result.error not in OK_ERRORS:
                    failures[doc.name] = (f"{doc.name}(**{json.dumps(arguments)}) failed: "
                                          f"{result.content[:300]!r}", result.error)
        finally:
            executor.close()
        return failures


def merge(group: list[ToolDocument]) -> ToolDocument:
    """One tool for documents that overlap (the same entity kind): see the module docstring."""
    first = group[0]
    serves = tuple(s for d in group for s in d.serves)
    fields = tuple(dict.fromkeys(f for d in group for f in d.fields))
    if len(fields) == 1:
        return first.model_copy(update={"serves": serves})
    described = {f: next(d.description for d in group if f in d.fields) for f in fields}
    choices = "; ".join(f"'{f}': {text}" for f, text in described.items())
    extras: dict[str, Param] = {}  # the documents' other parameters, the first declaration of each name
    for doc in group:
        for param in doc.params[1:]:
            if param.name != first.params[0].name:
                extras.setdefault(param.name, param)
    return ToolDocument(name=f"get_{first.kind}_info", role="lookup", kind=first.kind, fields=fields,
                        description=f"Look up information about a {first.kind}. Fields: {choices}",
                        params=(first.params[0], field_selector(fields), *extras.values()), serves=serves)


def _param_text(param: Param) -> str:
    schema = {k: v for k, v in param.schema_.items() if k != "type"}
    bounds = f" {json.dumps(schema)}" if schema else ""
    return f"`{param.name}` ({param.schema_.get('type')}{bounds}, {'required' if param.required else 'optional'})"


def _code_request(doc: ToolDocument, scenario: Scenario) -> dict[str, Any]:
    """The deploy prompt's variables for `doc`: signature, description, and the data and return contract."""
    subject = doc.params[0].name
    named = [subject] + (["field"] if doc.merged else [])
    extras = [p for p in doc.params[1:] if p.name not in named]
    signature = f"{doc.name}({', '.join(named + [f'{p.name}=None' for p in extras])})"
    accepted = ("" if not extras else f" It also accepts {', '.join(map(_param_text, extras))}: the caller's "
                "arguments are already checked against these types; they never change the result.")
    if doc.kind is None:  # a distractor: no data of this task
        return {"signature": signature, "description": doc.description,
                "contract": f"Invent the data for three entities. For a known one, return a dict "
                            f'{{"{subject}": <its name>, <field>: <value>}}.{accepted}'}
    table = {e.name: {f: e.values[f] for f in doc.fields if f in e.values}
             for e in scenario.world.get(doc.kind, ())}
    data = json.dumps(table, ensure_ascii=False)
    if doc.merged:
        return {"signature": signature, "description": doc.description,
                "contract": f"`field` is one of {list(doc.fields)}. Its data, entity name -> fields: {data}. For "
                            f'a known entity and field, return {{"{subject}": <its name>, <field>: <value>}}.'
                            f"{accepted}"}
    return {"signature": signature, "description": doc.description,
            "contract": f"Its data, entity name -> fields: {data}. For a known entity, return "
                        f'{{"{subject}": <its name>, "{doc.fields[0]}": <value>}}.{accepted}'}


def _param_problems(tools: list[ToolReply]) -> list[str]:
    return [p for t in tools for p in tool_params(t)[1]]


def _document_problems(scenario: Scenario, reply: ToolsReply) -> list[str]:
    wanted = [q.id for q in scenario.sub_questions]
    served = [t.serves for t in reply.tools]
    problems = [] if sorted(served) == sorted(wanted) else [
        f"write exactly one tool per sub-question {wanted}, got tools for {served}"]
    problems += _param_problems(list(reply.tools))
    names = [t.name for t in reply.tools]
    if AGGREGATE_TOOL in names:
        problems.append(f"the name {AGGREGATE_TOOL!r} is taken")
    by_id = {q.id: q for q in scenario.sub_questions}
    clashing = {}
    for t in reply.tools:  # one name may serve several sub-questions only when they look up the same thing
        if t.serves in by_id:
            q = by_id[t.serves]
            if clashing.setdefault(t.name, (q.kind, q.field)) != (q.kind, q.field):
                problems.append(f"the name {t.name} is used for tools that look up different things")
    return problems


def _distractor_problems(needed: list[str], count: int, reply: DistractorsReply) -> list[str]:
    names = [t.name for t in reply.tools[:count]]
    problems = [] if len(reply.tools) >= count else [f"write {count} tools, got {len(reply.tools)}"]
    problems += _param_problems(list(reply.tools[:count]))
    if taken := [n for n in names if n in needed or n == AGGREGATE_TOOL]:
        problems.append(f"the names {taken} are taken")
    if len(set(names)) != len(names):
        problems.append("the names must differ")
    return problems

"""Stage 5, procedurally: Python source for every tool, in the form an LLM would write it.

Each lookup tool is a module: its data table as a literal and a function of the tool's name that guards each
parameter, then looks the entity up. Valid arguments return `{<noun>: <name>, <field>: <value>}`; a missing required
argument, a wrong type, a value outside an enum or range, or an unknown entity returns an "Error: ..." string.
Near-duplicate distractors get a table of their own, drawn afresh: plausible, consistent, and wrong.
"""

from __future__ import annotations

import json
import random
from typing import Any

from toolgym.generation.backends.procedural import calculator
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import Domain, get_domain
from toolgym.generation.models import Deployment, Param, Scenario, ScaledToolset, ToolDocument, Value

# Tool code is specialized per tool, the way a person (or an LLM) writes it: one guard per parameter that needs
# one. Data is embedded as JSON text because compiling one string constant is several times cheaper than a
# literal of nested dicts, and compiling tool code is the largest cost of generating (and replaying) a task.
HEADER_TEMPLATE = """import json

_NOUN = {noun!r}
_TABLE = json.loads({table!r})


"""

SIGNATURE_TEMPLATE = """def {name}({signature}):
"""

MISSING = """    if {n} is None:
        return "Error: missing required argument '{n}'."
"""

# check kind -> (condition on a present value, message); `{n}` is the parameter, `{rule}` its rule
GUARDS = {
    "range": ("not (isinstance({n}, (int, float)) and not isinstance({n}, bool) and {lo!r} <= {n} <= {hi!r})",
              "'{n}' must be a number from {lo} to {hi}, got %r."),
    "choice": ("{n} not in {rule!r}", "'{n}' must be one of: {listed}; got %r."),
    "items": ("not (isinstance({n}, list) and all(item in {rule!r} for item in {n}))",
              "'{n}' must be a list of values among: {listed}; got %r."),
    "date": ("not (isinstance({n}, str) and len({n}) == 10 and {n}[4] == {n}[7] == '-' "
             "and {n}.replace('-', '').isdigit())", "'{n}' must be a date YYYY-MM-DD, got %r."),
}

GUARD_TEMPLATE = """    if {n} is not None and {condition}:
        return "Error: {message}" % ({n},)
"""

BODY_TEMPLATE = """    record = _TABLE.get(str({subject}).strip().lower())
    if record is None:
        return "Error: unknown %s %r." % (_NOUN, {subject})
    return {{_NOUN: record[0], {field}: record[1][{field}]}}
"""


def param_rule(param: Param) -> tuple[str, Any]:
    """(check kind, rule) for `param`: a numeric range, allowed values or items, a date, or none."""
    schema = param.schema_
    if param.type_class == "enum":
        return "choice", tuple(schema["enum"])
    if param.type_class in ("integer", "number"):
        return "range", (schema["minimum"], schema["maximum"])
    if param.type_class == "array" and "enum" in schema.get("items", {}):
        return "items", tuple(schema["items"]["enum"])
    if param.type_class == "date":
        return "date", None
    return "any", None


def guard_source(param: Param) -> str:
    """The lines refusing a missing or invalid value of `param` (empty when any value goes)."""
    return _guard_source(param.name, param.required, *param_rule(param))


def _guard_source(name: str, required: bool, kind: str, rule: Any) -> str:
    source = MISSING.format(n=name) if required else ""
    if kind in GUARDS:
        condition, message = GUARDS[kind]
        low, high = rule if kind == "range" else (None, None)
        listed = " | ".join(rule) if kind in ("choice", "items") else ""
        fill = {"n": name, "rule": rule, "lo": low, "hi": high, "listed": listed}
        source += GUARD_TEMPLATE.format(n=name, condition=condition.format(**fill), message=message.format(**fill))
    return source


def _default(param: Param) -> str:
    default = None if param.required else param.schema_.get("default")
    return repr(default) if isinstance(default, (str, int, float, bool)) else "None"


def _table(doc: ToolDocument, scenario: Scenario, domain: Domain, rng: random.Random | None
           ) -> dict[str, tuple[str, dict[str, Value]]]:
    """Entity key -> (name, {field: value}); fresh values when `rng` is given (near-duplicates)."""
    kind = domain.kind(doc.kind or "")
    table = {}
    for entity in scenario.world[kind.noun]:
        values = {f: entity.values[f] for f in doc.fields}
        if rng is not None:
            values = {f: _redraw(domain, kind.noun, f, v, scenario, rng) for f, v in values.items()}
        table[entity.name.lower()] = (entity.name, values)
    return table


def _redraw(domain: Domain, noun: str, field: str, value: Value, scenario: Scenario, rng: random.Random) -> Value:
    kind = domain.kind(noun)
    if kind.is_link(field):
        return rng.choice([e.name for e in scenario.world[domain.next_kind(noun).noun]])
    return kind.attribute(field).draw(rng)


def lookup_source(doc: ToolDocument, scenario: Scenario, domain: Domain, rng: random.Random) -> str:
    """The module source of one lookup tool: its data, then its function."""
    fresh = rng if doc.variant == "near_duplicate" else None
    table = {key: list(row) for key, row in _table(doc, scenario, domain, fresh).items()}
    field = "field" if doc.merged else repr(doc.fields[0])
    params = [(p.name, p.required, *param_rule(p), _default(p)) for p in doc.params]
    key = (doc.name, field, repr(params))  # repr, not the tuples: a rule (0, 1) must not stand for (0.0, 1.0)
    function = _FUNCTIONS.get(key)
    if function is None:
        if len(_FUNCTIONS) >= FUNCTION_CACHE_SIZE:
            _FUNCTIONS.clear()
        function = _FUNCTIONS[key] = _function_source(doc.name, field, params)
    return HEADER_TEMPLATE.format(noun=doc.kind, table=_json(table)) + function


FUNCTION_CACHE_SIZE = 4096
_FUNCTIONS: dict[tuple[str, str, str], str] = {}  # a tool's function recurs across tasks (stable signatures)


def _function_source(name: str, field: str, params: list[tuple[str, bool, str, Any, str]]) -> str:
    """The function of a lookup tool from (name, required, check kind, rule, default text) per parameter."""
    signature = ", ".join(f"{p[0]}={p[4]}" for p in params)
    return (SIGNATURE_TEMPLATE.format(name=name, signature=signature)
            + "".join(_guard_source(*p[:4]) for p in params)
            + BODY_TEMPLATE.format(subject=params[0][0], field=field))


def _json(value: Any) -> str:
    return _COMPACT_JSON(value)


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # json.dumps builds one a call


def deploy(scaled: ScaledToolset, ctx: GenerationContext) -> Deployment:
    """Stage 5 of the procedural backend: source for every needed tool and distractor."""
    rng = ctx.rng("deploy")
    domain = get_domain(scaled.scenario.domain)
    code = {}
    for doc in scaled.tools + scaled.distractors:
        if doc.role == "aggregate":
            code[doc.name] = calculator.CALCULATOR_SOURCE
        else:
            code[doc.name] = lookup_source(doc, scaled.scenario, domain, rng)
    return Deployment(code=code)

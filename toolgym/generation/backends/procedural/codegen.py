"""Stage 5, procedurally: Python source for every tool, in the form an LLM would write it.

Each lookup tool is a module: its data table as a literal and a function of the tool's name that guards each
parameter, then looks the entity up. Valid arguments return `{<noun>: <name>, <field>: <value>}`; a missing required
argument, a wrong type, a value outside an enum or range, or an unknown entity returns an "Error: ..." string (an
unknown name close to a known one gets "Did you mean ...?").
Near-duplicate distractors get a table of their own, drawn afresh: plausible, consistent, and wrong.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from toolgym.generation.backends.procedural import calculator, search
from toolgym.generation.backends.procedural.search import ID_FIELD
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import Domain, EntityKind, get_domain
from toolgym.generation.models import Deployment, Param, Scenario, ScaledToolset, ToolDocument, Value
from toolgym.models.memo import IdentityMemo

# Tool code is specialized per tool, the way a person (or an LLM) writes it: one guard per parameter that needs
# one. Data is embedded as JSON text because compiling one string constant is several times cheaper than a
# literal of nested dicts, and compiling tool code is the largest cost of generating (and replaying) a task.
HEADER_TEMPLATE = """import difflib
import json

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

# An unknown name is answered the way a real API helps: with the closest known name, if one is close.
BODY_TEMPLATE = """    key = str({subject}).strip().lower()
    record = _TABLE.get(key)
    if record is None:
        close = difflib.get_close_matches(key, list(_TABLE), n=1, cutoff=0.75)
        hint = " Did you mean %r?" % _TABLE[close[0]][0] if close else ""
        return "Error: unknown %s %r.%s" % (_NOUN, {subject}, hint)
    return {{_NOUN: record[0], {field}: record[1][{field}]}}
"""


# From level 2 a name lookup also helps with a partial name: one match is suggested, several are listed (worlds
# there hold homonyms: "Hotel Brask" and "Hotel Braskia").
AMBIGUOUS_BODY_TEMPLATE = """    key = str({subject}).strip().lower()
    record = _TABLE.get(key)
    if record is None:
        partial = [r[0] for k, r in _TABLE.items() if key and key in k]
        if len(partial) > 1:
            return "Error: %r is ambiguous: %d %ss match (%s). Give the full name." % (
                {subject}, len(partial), _NOUN, ", ".join(sorted(partial)))
        close = partial or [_TABLE[c][0] for c in difflib.get_close_matches(key, list(_TABLE), n=1, cutoff=0.75)]
        hint = " Did you mean %r?" % close[0] if close else ""
        return "Error: unknown %s %r.%s" % (_NOUN, {subject}, hint)
    return {{_NOUN: record[0], {field}: record[1][{field}]}}
"""

# A kind found by a search takes its id; a name (or anything not shaped like an id) gets the expected format.
ID_BODY_TEMPLATE = """    key = str({subject}).strip().lower()
    record = _TABLE.get(key)
    if record is None:
        if not (key.startswith(_NOUN + "_") and key[len(_NOUN) + 1:].isdigit()):
            return "Error: '{subject}' must be a %s id such as '%s_00000' (from %s), got %r." % (
                _NOUN, _NOUN, _SEARCH, {subject})
        return "Error: unknown %s id %r." % (_NOUN, {subject})
    return {{"id": record[2], _NOUN: record[0], {field}: record[1][{field}]}}
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
    source = MISSING.format(n=param.name) if param.required else ""
    kind, rule = param_rule(param)
    if kind in GUARDS:
        condition, message = GUARDS[kind]
        low, high = rule if kind == "range" else (None, None)
        listed = " | ".join(rule) if kind in ("choice", "items") else ""
        fill = {"n": param.name, "rule": rule, "lo": low, "hi": high, "listed": listed}
        source += GUARD_TEMPLATE.format(n=param.name, condition=condition.format(**fill),
                                        message=message.format(**fill))
    return source


def _default(param: Param) -> str:
    default = None if param.required else param.schema_.get("default")
    return repr(default) if isinstance(default, (str, int, float, bool)) else "None"


def _table(doc: ToolDocument, scenario: Scenario, domain: Domain, rng: random.Random | None
           ) -> dict[str, tuple[Any, ...]]:
    """Entity key (name, or id for a kind found by a search) -> (name, {field: value}[, id]); fresh values when
    `rng` is given (near-duplicates)."""
    kind = domain.kind(doc.kind or "")
    entities, fields = scenario.world[kind.noun], doc.fields
    if rng is None:
        rows = [(e, {f: e.values[f] for f in fields}) for e in entities]
    else:
        draws = [_drawer(domain, kind, field, scenario) for field in fields]
        rows = [(e, {f: draw(rng) for f, draw in zip(fields, draws)}) for e in entities]
    if doc.by_id:
        return {str(e.values[ID_FIELD]).lower(): (e.name, values, e.values[ID_FIELD]) for e, values in rows}
    return {e.name.lower(): (e.name, values) for e, values in rows}


def _drawer(domain: Domain, kind: EntityKind, field: str, scenario: Scenario
            ) -> Callable[[random.Random], Value]:
    """How a near-duplicate draws a fresh value of `field`: another entity of the linked kind, or an attribute."""
    if kind.is_link(field):
        names = [e.name for e in scenario.world[domain.next_kind(kind.noun).noun]]
        return lambda rng: rng.choice(names)
    return kind.attribute(field).draw


def lookup_source(doc: ToolDocument, scenario: Scenario, domain: Domain, rng: random.Random | None,
                  searches: dict[str, str] | None = None) -> str:
    """The module source of one lookup tool: its data, then its function (`rng` draws a near-duplicate's data)."""
    fresh = rng if doc.variant == "near_duplicate" else None
    table = _table(doc, scenario, domain, fresh)
    field = "field" if doc.merged else repr(doc.fields[0])
    body = ID_BODY_TEMPLATE if doc.by_id else AMBIGUOUS_BODY_TEMPLATE if scenario.level >= 2 else BODY_TEMPLATE
    # a tool's function recurs across tasks (stable signatures of shared parameter objects): write it once
    function = _FUNCTIONS.get((doc.name, field, body), doc.params,
                              lambda: function_source(doc.name, field, doc.params, body))
    header = HEADER_TEMPLATE.format(noun=doc.kind, table=_json(table))
    if doc.by_id:  # the search that gives the ids, named in the wrong-format error
        header += f"_SEARCH = {(searches or {}).get(doc.kind or '', 'a search')!r}\n\n\n"
    return header + function


_FUNCTIONS: IdentityMemo[str] = IdentityMemo()


def function_source(name: str, field: str, params: tuple[Param, ...], body: str = BODY_TEMPLATE) -> str:
    """The function of a lookup tool: its signature, a guard per parameter, the lookup of `field` (source text)."""
    return _signature(name, params) + body.format(subject=params[0].name, field=field)


def _signature(name: str, params: tuple[Param, ...]) -> str:
    signature = ", ".join(f"{p.name}={_default(p)}" for p in params)
    return SIGNATURE_TEMPLATE.format(name=name, signature=signature) + "".join(guard_source(p) for p in params)


def search_source(doc: ToolDocument, scenario: Scenario) -> str:
    """A search tool: (id, name) rows sorted by id, matched by substring, paged."""
    header = (f"_NOUN = {doc.kind!r}\n_PAGE_SIZE = {search.PAGE_SIZE}\n"
              f"_ROWS = json.loads({_json(search.search_rows(doc, scenario))!r})\n\n\n")
    body = search.SEARCH_BODY.format(query=doc.params[0].name, page=doc.params[1].name)
    return "import json\n\n" + header + _signature(doc.name, doc.params) + body


def list_source(doc: ToolDocument, scenario: Scenario, domain: Domain) -> str:
    """A list tool: (name, target, category) rows, filtered by target and optional category."""
    rows, targets = search.list_rows(doc, scenario, domain)
    target = domain.next_kind(doc.kind or "")
    header = (f"import difflib\nimport json\n\n_TARGET = {target.label!r}\n"
              f"_TARGETS = json.loads({_json(targets)!r})\n_ROWS = json.loads({_json(rows)!r})\n\n\n")
    body = search.LIST_BODY.format(target=doc.params[0].name, match=doc.params[1].name, field=doc.fields[0])
    return header + _signature(doc.name, doc.params) + body


def _json(value: Any) -> str:
    return _COMPACT_JSON(value)


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # json.dumps builds one a call


def deploy(scaled: ScaledToolset, ctx: GenerationContext) -> Deployment:
    """Stage 5 of the procedural backend: source for every needed tool and distractor."""
    docs = scaled.tools + scaled.distractors
    # only near-duplicates draw (their tables); seeding a generator costs more than writing a simple tool
    rng = ctx.rng("deploy") if any(d.variant == "near_duplicate" for d in docs) else None
    domain = get_domain(scaled.scenario.domain)
    code = {}
    searches = {d.kind or "": d.name for d in docs if d.role == "search"}
    for doc in docs:
        if doc.role == "aggregate":
            code[doc.name] = calculator.CALCULATOR_SOURCE
        elif doc.role == "search":
            code[doc.name] = search_source(doc, scaled.scenario)
        elif doc.role == "list":
            code[doc.name] = list_source(doc, scaled.scenario, domain)
        else:
            code[doc.name] = lookup_source(doc, scaled.scenario, domain, rng, searches)
    return Deployment(code=code)

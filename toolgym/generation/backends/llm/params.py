"""The typed parameters a model declares for an `llm`-backend tool, checked into the stage's `Param`s.

A tool's first parameter is always its subject (a required string naming the entity). Besides it, the model may
declare up to `replies.MAX_EXTRA_PARAMS` more, each one of `PARAM_TYPES` (string, integer, number, boolean, enum),
required or optional. They never change the tool's answer (as the procedural backend's added parameters): the
executor validates every call's arguments against the schema built here before the code runs, and the code is
told to accept them. A required one must come with an `example` valid for its schema: it is the value the gold
plan sends. Everything else a model could write is refused with a message that goes back to it: a reserved,
repeated or Python-keyword name, an enum of fewer than two distinct values, bounds on a non-number or out of
order, an example that breaks the schema.
"""

from __future__ import annotations

import keyword
import math
from typing import Any

from toolgym.execution.validation import compile_validator
from toolgym.generation.backends.llm.replies import ParamReply, ToolReply
from toolgym.generation.models import FIELD_PARAM, Param

PARAM_TYPES = ("string", "integer", "number", "boolean", "enum")
_NUMERIC = ("integer", "number")


def subject_param(name: str, description: str) -> Param:
    return Param(name=name, type_class="string", description=description, schema={"type": "string"}, required=True)


def param_schema(reply: ParamReply) -> tuple[dict[str, Any], list[str]]:
    """The JSON Schema of a declared parameter, and what is wrong with the declaration."""
    where = f"parameter {reply.name!r}"
    problems = []
    if reply.type == "enum":
        values = list(dict.fromkeys(reply.values or ()))
        if len(values) < 2:
            problems.append(f"{where}: an enum lists at least two distinct 'values'")
        schema: dict[str, Any] = {"type": "string", "enum": values}
    else:
        schema = {"type": reply.type}
        if reply.values:
            problems.append(f"{where}: only an enum has 'values'")
    bounds = {k: v for k, v in (("minimum", reply.minimum), ("maximum", reply.maximum)) if v is not None}
    if bounds and reply.type not in _NUMERIC:
        problems.append(f"{where}: only an integer or number has a minimum or maximum")
    elif any(not math.isfinite(v) for v in bounds.values()):
        problems.append(f"{where}: the bounds must be finite numbers")
    elif len(bounds) == 2 and bounds["minimum"] > bounds["maximum"]:
        problems.append(f"{where}: the minimum is above the maximum")
    else:
        schema.update(bounds)
    return schema, problems


def _example_problem(reply: ParamReply, schema: dict[str, Any]) -> str | None:
    """Why a required parameter's example cannot be the gold plan's value (None: it can)."""
    if reply.example is None:
        return f"parameter {reply.name!r} is required: give an 'example' value the gold call sends"
    validator = compile_validator({"type": "object", "properties": {reply.name: schema}})
    problem = validator.check({reply.name: reply.example})
    return None if problem is None else f"parameter {reply.name!r}: the example breaks its schema ({problem})"


def to_param(reply: ParamReply) -> tuple[Param | None, list[str]]:
    """The checked `Param` of one declaration (None when it has problems, listed)."""
    schema, problems = param_schema(reply)
    if not problems and reply.required and (problem := _example_problem(reply, schema)):
        problems.append(problem)
    if problems:
        return None, problems
    return Param(name=reply.name, type_class=reply.type, description=reply.description, schema=schema,
                 required=reply.required, gold_value=reply.example if reply.required else None), []


def tool_params(tool: ToolReply) -> tuple[tuple[Param, ...], list[str]]:
    """The parameters of a declared tool, subject first, and the problems of the declaration."""
    problems = []
    taken = {FIELD_PARAM}  # a merged tool adds the `field` selector after the subject
    params = [subject_param(tool.parameter, tool.parameter_description)]
    for name in [tool.parameter] + [p.name for p in tool.extra_parameters]:
        if keyword.iskeyword(name) or name.startswith("_"):
            problems.append(f"{tool.name}: the parameter name {name!r} is reserved in Python; choose another")
        elif name in taken:
            problems.append(f"{tool.name}: the parameter name {name!r} is taken or repeated")
        taken.add(name)
    for declared in tool.extra_parameters:
        param, found = to_param(declared)
        problems += [f"{tool.name}: {p}" for p in found]
        if param is not None:
            params.append(param)
    return tuple(params), problems

"""Stage 4, procedurally: parameter expansion and type generalization, distractors, shuffled order.

Added parameters come from the generic pool and the domain's own; they are validated by the tool code but never
change its answer, so the minimal gold plan stays minimal. Signatures are stable, as a real API's are: a tool
has one of SIGNATURE_VARIANTS signatures per level, whatever the task (which also lets the `Task` model's cache
of checked schemas hit, the largest cost of generating a task otherwise). Each level introduces new parameter types
(`featured types`); a task shows at least one of them when its tools have room. Distractors are real tools the
question does not need: lookups of fields no needed tool covers and, from L4, near-duplicates of needed tools
(similar names, archived values).
"""

from __future__ import annotations

import random

from toolgym.generation.backends.procedural.document import field_description, lookup_document
from toolgym.generation.backends.procedural.surface import NEAR_DUPLICATE_PATTERNS, near_duplicate_name, surface_for
from toolgym.generation.context import GenerationContext, stable_seed
from toolgym.generation.domains import Domain, ParamSpec, get_domain
from toolgym.generation.domains.params import GENERIC_PARAMS
from toolgym.generation.levels import LEVELS, LevelConfig, level_config
from toolgym.generation.models import Param, ScaledToolset, Toolset, ToolDocument
from toolgym.models.memo import IdentityMemo

SIGNATURE_VARIANTS = 3  # signatures per (tool, level): stable like an API's, yet varied across tasks
NEAR_DUPLICATE_NOTE = "Estimate from archived third-party listings of {}; values may be outdated."


def featured_types(config: LevelConfig) -> tuple[str, ...]:
    """The parameter types this level adds over the previous one."""
    previous = LEVELS.get(config.level - 1)
    return tuple(t for t in config.param_types if previous is None or t not in previous.param_types)


_PARAMS: dict[tuple[ParamSpec, bool], Param] = {}  # pool entries are module constants, hashed by identity


def to_param(spec: ParamSpec, required: bool) -> Param:
    """A pool entry as a tool parameter; a required one loses its default and carries a gold value."""
    key = (spec, required)
    if key not in _PARAMS:
        _PARAMS[key] = _make_param(spec, required)
    return _PARAMS[key]


def _make_param(spec: ParamSpec, required: bool) -> Param:
    schema = {k: v for k, v in spec.schema.items() if not (required and k == "default")}
    return Param(name=spec.name, type_class=spec.type_class, description=spec.description, schema=schema,
                 required=required, gold_value=spec.valid if required else None)


def _pick_specs(pool: list[ParamSpec], count: int, featured: tuple[str, ...], rng: random.Random
                ) -> list[ParamSpec]:
    picked = rng.sample(pool, min(count, len(pool)))
    if count and featured and not any(p.type_class in featured for p in picked):
        options = [p for p in pool if p.type_class in featured]
        if options:
            picked[rng.randrange(len(picked))] = rng.choice(options)
    return picked


def expand_params(tool: ToolDocument, domain: Domain, config: LevelConfig, rng: random.Random) -> ToolDocument:
    """`tool` with optional (and possibly one more required) parameters: one of its signatures at this level."""
    if tool.role == "aggregate":
        return tool
    key = (domain.name, tool.name, tuple(p.name for p in tool.params), config.level,
           rng.randrange(SIGNATURE_VARIANTS))
    if key not in _SIGNATURES:
        _SIGNATURES[key] = added_params(tool, domain, config, random.Random(stable_seed("signature", *key)))
    added = _SIGNATURES[key]
    # documents come from caches and signatures are few, so the same expansion recurs: share it (see tool_spec)
    return _EXPANDED.get(None, (tool, added), lambda: tool.model_copy(update={"params": tool.params + added}))


_SIGNATURES: dict[tuple[object, ...], tuple[Param, ...]] = {}  # finite: domains x tools x levels x variants
_EXPANDED: IdentityMemo[ToolDocument] = IdentityMemo()


def added_params(tool: ToolDocument, domain: Domain, config: LevelConfig, rng: random.Random
                 ) -> tuple[Param, ...]:
    """Parameters drawn from the pools for `tool`, within the level's counts and types."""
    taken = {p.name for p in tool.params}
    kind_params = domain.kind(tool.kind or "").params
    pool = [p for p in GENERIC_PARAMS + domain.extra_params + kind_params
            if p.type_class in config.param_types and p.name not in taken]
    count = max(rng.randint(*config.params) - len(tool.params), 0)
    specs = _pick_specs(pool, count, featured_types(config), rng)
    extra_required = max(rng.randint(*config.required) - sum(p.required for p in tool.params), 0)
    return tuple(to_param(spec, required=i < extra_required) for i, spec in enumerate(specs))


def near_duplicate(tool: ToolDocument, domain: Domain, pattern: str) -> ToolDocument:
    """A distractor named like `tool`, serving the same fields with archived (different) values."""
    return _NEAR.get((domain.name, tool.name, tool.fields, pattern), tool.params,
                     lambda: _near_duplicate(tool, domain, pattern))


_NEAR: IdentityMemo[ToolDocument] = IdentityMemo()


def _near_duplicate(tool: ToolDocument, domain: Domain, pattern: str) -> ToolDocument:
    kind = domain.kind(tool.kind or "")
    what = " and ".join(field_description(kind, f) for f in tool.fields)
    return tool.model_copy(update={"name": near_duplicate_name(tool.name, pattern), "serves": (),
                                   "description": NEAR_DUPLICATE_NOTE.format(what), "variant": "near_duplicate"})


Candidate = ToolDocument | tuple[ToolDocument, str]  # a plain lookup, or (needed lookup, near-duplicate pattern)


def distractor_candidates(toolset: Toolset, domain: Domain, config: LevelConfig, ctx: GenerationContext | None = None
                          ) -> tuple[list[ToolDocument], list[tuple[ToolDocument, str]]]:
    """(plain lookups no needed tool covers, (needed lookup, name pattern) of each possible near-duplicate)."""
    covered = {(t.kind, f) for t in toolset.tools for f in t.fields}
    id_kinds = toolset.scenario.id_kinds
    plain = [lookup_document(kind, field, (), surface_for(ctx, kind.noun, id_kinds)) for kind in domain.kinds
             for field in kind.fields if (kind.noun, field) not in covered]
    if not config.near_duplicates:
        return plain, []
    lookups = [t for t in toolset.tools if t.role == "lookup"]
    return plain, [(t, p) for t in lookups for p in NEAR_DUPLICATE_PATTERNS]


def choose_distractors(toolset: Toolset, domain: Domain, config: LevelConfig, rng: random.Random,
                       ctx: GenerationContext | None = None) -> list[ToolDocument]:
    """Between the level's bounds of distractors, at least one near-duplicate where the level has them
    (near-duplicates are built only once chosen)."""
    plain, near = distractor_candidates(toolset, domain, config, ctx)
    count = rng.randint(*config.distractors)
    chosen: list[Candidate] = [rng.choice(near)] if near and count else []
    rest = [d for d in plain + near if d is not chosen[0]] if chosen else plain + near  # distinct: `is` will do
    picked = chosen + rng.sample(rest, min(count - len(chosen), len(rest)))
    return [near_duplicate(d[0], domain, d[1]) if isinstance(d, tuple) else d for d in picked]


def scale(toolset: Toolset, ctx: GenerationContext) -> ScaledToolset:
    """Stage 4 of the procedural backend."""
    rng = ctx.rng("scale")
    domain, config = get_domain(toolset.scenario.domain), level_config(toolset.scenario.level)
    tools = tuple(expand_params(t, domain, config, rng) for t in toolset.tools)
    distractors = tuple(expand_params(d, domain, config, rng) for d in choose_distractors(toolset, domain, config,
                                                                                           rng, ctx))
    order = [t.name for t in tools + distractors]
    rng.shuffle(order)
    return ScaledToolset(scenario=toolset.scenario, tools=tools, distractors=distractors, order=tuple(order),
                         assignment=toolset.assignment)

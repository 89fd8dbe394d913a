"""Stage 3, procedurally: merge documents with overlapping functionality.

Overlap criterion: two lookups overlap when they read the same entity kind. Lookups of one kind and one field
collapse into one tool called several times; lookups of one kind and several fields merge into
`<verb>_<noun>_info(<noun>, field)` (named in the kind's surface, see `surface.py`). When a level asks for more
merged tools than the question's overlaps give, a needed lookup is generalized with sibling fields of its kind
(the documents it overlaps with in the domain).
"""

from __future__ import annotations

import random

from toolgym.generation.backends.procedural.document import lookup_document, merged_document
from toolgym.generation.backends.procedural.surface import surface_for
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import Domain, get_domain
from toolgym.generation.levels import level_config
from toolgym.generation.models import Documents, Toolset, ToolDocument

MAX_GENERALIZED_FIELDS = 3  # a generalized tool gains up to this many fields in all


def _merge_group(domain: Domain, docs: list[ToolDocument], ctx: GenerationContext | None = None,
                 id_kinds: tuple[str, ...] = ()) -> ToolDocument:
    fields = tuple(dict.fromkeys(f for d in docs for f in d.fields))
    serves = tuple(s for d in docs for s in d.serves)
    kind = domain.kind(docs[0].kind or "")
    surface = surface_for(ctx, kind.noun, id_kinds)
    if len(fields) == 1:
        return lookup_document(kind, fields[0], serves, surface)
    return merged_document(kind, tuple(sorted(fields)), serves, surface)


def generalize(domain: Domain, tool: ToolDocument, rng: random.Random, ctx: GenerationContext | None = None,
               id_kinds: tuple[str, ...] = ()) -> ToolDocument:
    """`tool` widened with sibling fields of its kind, so it serves as a merged tool."""
    siblings = [f for f in domain.kind(tool.kind or "").fields if f not in tool.fields]
    extra = rng.sample(siblings, min(len(siblings), rng.randint(1, MAX_GENERALIZED_FIELDS - 1)))
    fields = tuple(sorted(tool.fields + tuple(extra)))
    return merged_document(domain.kind(tool.kind or ""), fields, tool.serves,
                           surface_for(ctx, tool.kind or "", id_kinds))


def _join_same_name(docs: list[ToolDocument]) -> list[ToolDocument]:
    """Searches (and lists) of one kind, asked by several chains, are one tool called several times."""
    joined: dict[str, ToolDocument] = {}
    for doc in docs:
        first = joined.get(doc.name)
        joined[doc.name] = doc if first is None else first.model_copy(update={"serves": first.serves + doc.serves})
    return list(joined.values())


def integrate(documents: Documents, ctx: GenerationContext) -> Toolset:
    """Stage 3 of the procedural backend."""
    scenario = documents.scenario
    domain = get_domain(scenario.domain)
    groups: dict[str, list[ToolDocument]] = {}
    others: list[ToolDocument] = []
    for doc in documents.documents:
        (groups.setdefault(doc.kind, []) if doc.role == "lookup" and doc.kind else others).append(doc)
    tools = [_merge_group(domain, group, ctx, scenario.id_kinds) for group in groups.values()]
    missing = level_config(scenario.level).min_merged - sum(t.merged for t in tools)
    single = [i for i, t in enumerate(tools) if not t.merged]
    if missing > 0 and single:  # seeding a generator costs more than the rest of this stage: only when needed
        rng = ctx.rng("integrate")
        for i in rng.sample(single, min(missing, len(single))):
            tools[i] = generalize(domain, tools[i], rng, ctx, scenario.id_kinds)
    tools += _join_same_name(others)
    assignment = {s: t.name for t in tools for s in t.serves}
    return Toolset(scenario=scenario, tools=tuple(tools), assignment=assignment)

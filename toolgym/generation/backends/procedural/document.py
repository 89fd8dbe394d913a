"""Stage 2, procedurally: one tool document per sub-question, plus the calculator for an aggregation.

Documents are derived from the domain's data: a lookup `<verb>_<noun>_<field>` (or camelCase, see `surface.py`)
with the entity as its only parameter. They never name a concrete entity or value, so nothing in a document can
give an answer away.
"""

from __future__ import annotations

from functools import lru_cache

from toolgym.generation.backends.procedural import calculator
from toolgym.generation.backends.procedural.search import list_document, search_document
from toolgym.generation.backends.procedural.surface import PLAIN, VERBS, Surface, snake, surface_for
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import Domain, EntityKind, get_domain
from toolgym.generation.models import (AGGREGATE_TOOL, FIELD_PARAM, FINAL_ID, Documents, Param, Scenario,
                                       SubQuestion, ToolDocument)



DESCRIPTIONS = ("Return {}.", "Look up {}.", "Fetch {}.", "Get {}.", "Find {}.", "Retrieve {}.")


def subject_param(kind: EntityKind, surface: Surface = PLAIN) -> Param:
    """The required parameter naming the entity a lookup is about (one object per name: surfaces share it)."""
    return _subject_param(kind, surface.subject(kind.noun))


@lru_cache(maxsize=4096)
def _subject_param(kind: EntityKind, name: str) -> Param:
    what = "Id" if snake(name).endswith("_id") else "Name"  # ids come from the kind's search tool
    return Param(name=name, type_class="string", description=f"{what} of the {kind.label}.",
                 schema={"type": "string"}, required=True)


def field_description(kind: EntityKind, field: str) -> str:
    """What looking up `field` returns, in words with no concrete entity."""
    return kind.phrase(field, f"a given {kind.label}")


@lru_cache(maxsize=16384)  # documents are frozen, and most recur from task to task
def lookup_document(kind: EntityKind, field: str, serves: tuple[str, ...] = (), surface: Surface = PLAIN
                    ) -> ToolDocument:
    """The single-field lookup tool `<verb>_<noun>_<field>` in `surface`'s naming."""
    form = _description_form(surface)
    return ToolDocument(name=surface.lookup_name(kind.noun, field), role="lookup", kind=kind.noun, fields=(field,),
                        description=form.format(field_description(kind, field)),
                        params=(subject_param(kind, surface),), serves=serves, by_id=surface.by_id)


def _description_form(surface: Surface) -> str:
    """A description's opening follows the verb, as one author would write it ("Fetch ..." for fetch_...)."""
    return DESCRIPTIONS[VERBS.index(surface.verb) % len(DESCRIPTIONS)]


@lru_cache(maxsize=16384)
def merged_document(kind: EntityKind, fields: tuple[str, ...], serves: tuple[str, ...], surface: Surface = PLAIN
                    ) -> ToolDocument:
    """A lookup serving several fields of one kind, selected by a required `field` enum."""
    choices = "; ".join(f"'{f}': {field_description(kind, f)}" for f in fields)
    return ToolDocument(name=surface.merged_name(kind.noun), role="lookup", kind=kind.noun, fields=fields,
                        description=f"Look up information about a {kind.label}. Fields: {choices}.",
                        params=(subject_param(kind, surface), field_selector(fields)), serves=serves,
                        by_id=surface.by_id)


@lru_cache(maxsize=1024)
def field_selector(fields: tuple[str, ...]) -> Param:
    """The required `field` enum of a merged lookup."""
    return Param(name=FIELD_PARAM, type_class="enum", description="Which information to return.",
                 schema={"type": "string", "enum": list(fields)}, required=True)


@lru_cache(maxsize=16)
def calculator_document(serves: tuple[str, ...] = (FINAL_ID,)) -> ToolDocument:
    """The aggregation tool's document."""
    params = tuple(Param(name=name, type_class="enum" if name == "operation" else "array",
                         description=schema["description"],
                         schema={k: v for k, v in schema.items() if k != "description"},
                         required=name in calculator.SCHEMA["required"])
                   for name, schema in calculator.SCHEMA["properties"].items())
    return ToolDocument(name=AGGREGATE_TOOL, role="aggregate", description=calculator.DESCRIPTION,
                        params=params, serves=serves)


def question_document(domain: Domain, question: SubQuestion, surface: Surface) -> ToolDocument:
    """The tool answering one sub-question: a lookup, a search or a list."""
    kind = domain.kind(question.kind)
    if question.role == "search":
        return search_document(kind, (question.id,), surface)
    if question.role == "list":
        return list_document(domain, kind, question.field, (question.id,), surface)
    return lookup_document(kind, question.field, (question.id,), surface)


def document(scenario: Scenario, ctx: GenerationContext) -> Documents:
    """Stage 2 of the procedural backend (its only draws are the kinds' surfaces, from the context's key)."""
    domain = get_domain(scenario.domain)
    docs = [question_document(domain, q, surface_for(ctx, q.kind, scenario.id_kinds))
            for q in scenario.sub_questions]
    if scenario.aggregation is not None:
        docs.append(calculator_document())
    return Documents(scenario=scenario, documents=tuple(docs))

"""Tool surfaces: naming styles per (task, kind), near-duplicate names, and the variety they give."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.generation.backends.procedural.surface import (NEAR_DUPLICATE_PATTERNS, PLAIN, SURFACES_PER_KIND, VERBS,
                                                            Surface, kind_surfaces, near_duplicate_name, snake,
                                                            surface_for)
from toolgym.generation.domains import domain_names, get_domain
from toolgym.generation.context import GenerationContext
from toolgym.generation.measure import _stem
from toolgym.generation.pipeline import generate_task, trace_task


def test_surfaces_name_tools_in_snake_or_camel_case():
    camel = Surface("fetch", True, "details", "{noun}_name")
    assert camel.lookup_name("car_model", "top_speed") == "fetchCarModelTopSpeed"
    assert camel.merged_name("car_model") == "fetchCarModelDetails" and camel.subject("car_model") == "carModelName"
    assert PLAIN.lookup_name("hotel", "price") == "get_hotel_price" and PLAIN.subject("hotel") == "hotel"
    assert snake("fetchCarModelTopSpeed") == "fetch_car_model_top_speed"


@given(st.sampled_from(VERBS), st.booleans(), st.sampled_from(NEAR_DUPLICATE_PATTERNS),
       st.sampled_from(["hotel", "car_model"]), st.sampled_from(["price", "top_speed"]))
def test_near_duplicates_differ_from_their_tool_but_share_its_stem(verb, camel, pattern, noun, field):
    name = Surface(verb, camel, "info", "{noun}").lookup_name(noun, field)
    near = near_duplicate_name(name, pattern)
    assert near != name and _stem(near) == _stem(name) == f"{noun}_{field}"


def test_a_task_keeps_one_surface_per_kind_and_tasks_differ():
    ctx = GenerationContext(domain="travel", level=5, index=3)
    assert surface_for(ctx, "hotel") is surface_for(ctx, "hotel") and surface_for(None, "hotel") is PLAIN
    surfaces = {surface_for(GenerationContext(domain="travel", level=1, index=i), "hotel") for i in range(60)}
    assert surfaces == set(kind_surfaces("travel", "hotel")) and len(surfaces) == SURFACES_PER_KIND
    everywhere = {s for d in domain_names() for k in get_domain(d).kinds for s in kind_surfaces(d, k.noun)}
    assert {s.verb for s in everywhere} == set(VERBS) and {s.camel for s in everywhere} == {False, True}


@pytest.mark.parametrize("level", [3, 5])
def test_every_tool_of_a_kind_in_a_task_reads_like_one_api(level):
    for index in range(4):
        scaled = trace_task("railways", level, index).scaled
        by_kind: dict[str, list] = {}
        for doc in scaled.tools + scaled.distractors:
            if doc.role == "lookup":
                by_kind.setdefault(doc.kind, []).append(doc)
        for kind, docs in by_kind.items():
            assert len({d.params[0].name for d in docs}) == 1, kind  # one way to pass the entity
            plain = [d for d in docs if d.variant != "near_duplicate"]
            assert len({snake(d.name).split("_")[0] for d in plain}) == 1, kind  # one verb
            assert len({"_" in d.name for d in plain}) == 1, kind  # one case

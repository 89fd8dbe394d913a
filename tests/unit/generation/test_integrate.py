from tests.unit.generation.helpers import stage_outputs
from toolgym.generation.backends.procedural.surface import MERGED_SUFFIXES, snake, surface_for
from toolgym.generation.models import Documents


def test_same_field_lookups_collapse_into_one_tool():
    for index in range(5):
        _, scenario, _, toolset, _ = stage_outputs("travel", 2, index)
        lookups = [t for t in toolset.tools if t.role == "lookup"]
        assert len(lookups) == 1 and len(lookups[0].serves) == len(scenario.sub_questions)


def test_levels_from_3_have_a_merged_tool():
    for level in (3, 4, 5):
        for index in range(4):
            toolset = stage_outputs("sports", level, index)[3]
            merged = [t for t in toolset.tools if t.merged]
            assert merged and all(snake(t.name).endswith(tuple("_" + s for s in MERGED_SUFFIXES)) for t in merged)


def test_merging_by_kind(backend):
    ctx, scenario, documents, _, _ = stage_outputs("travel", 4, 0)
    hotel = [d for d in documents.documents if d.kind == "hotel"]
    if hotel:  # two hotel lookups with different fields become one info tool
        twin = hotel[0].model_copy(update={"fields": ("price",), "name": "get_hotel_price", "serves": ("qx",)})
        extra = Documents(scenario=scenario, documents=documents.documents + (twin,))
        toolset = backend.integrate(extra, ctx)
        assert surface_for(ctx, "hotel").merged_name("hotel") in {t.name for t in toolset.tools}


def test_assignment_covers_every_sub_question():
    _, scenario, documents, toolset, _ = stage_outputs("food", 5, 2)
    assert set(toolset.assignment) == {s for d in documents.documents for s in d.serves}
    for qid, name in toolset.assignment.items():
        assert qid in next(t for t in toolset.tools if t.name == name).serves

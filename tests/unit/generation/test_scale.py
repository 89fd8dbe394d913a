import pytest

from tests.unit.generation.helpers import stage_outputs
from toolgym.generation.backends.procedural.scale import featured_types
from toolgym.generation.levels import LEVELS


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_parameters_and_distractors_follow_the_level(level):
    config = LEVELS[level]
    for index in range(4):
        *_, toolset, scaled = stage_outputs("travel", level, index)
        for tool in scaled.tools:
            if tool.role == "lookup":
                assert config.params[0] <= len(tool.params) <= config.params[1]
                assert config.required[0] <= sum(p.required for p in tool.params) <= config.required[1]
                assert {p.type_class for p in tool.params} <= set(config.param_types)
        assert config.distractors[0] <= len(scaled.distractors) <= config.distractors[1]
        assert sorted(scaled.order) == sorted(t.name for t in scaled.tools + scaled.distractors)
        assert [t.name for t in scaled.tools] == [t.name for t in toolset.tools]


def test_near_duplicates_from_level_4():
    for level, wanted in ((3, False), (4, True), (5, True)):
        for index in range(3):
            scaled = stage_outputs("travel", level, index)[-1]
            assert any(d.variant == "near_duplicate" for d in scaled.distractors) == wanted


def test_required_extra_parameters_carry_a_gold_value():
    scaled = stage_outputs("travel", 5, 1)[-1]
    for tool in (t for t in scaled.tools if t.role == "lookup"):
        for param in tool.params[1:]:
            if param.required and param.name != "field":
                assert param.gold_value is not None and "default" not in param.schema_


def test_featured_types_are_new_at_each_level():
    assert featured_types(LEVELS[1]) == ("string",)
    assert set(featured_types(LEVELS[4])) == {"date", "array", "object"}
    assert featured_types(LEVELS[5]) == ()

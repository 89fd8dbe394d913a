import pytest

from toolgym.generation.checks import structure_problems
from toolgym.generation.levels import LEVELS, level_table
from toolgym.generation.measure import measure_task
from toolgym.generation.pipeline import generate_task
from toolgym.models.task import ScenarioKind


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_generated_structure_matches_the_table(level):
    for domain in ("travel", "education"):
        for index in range(6):
            task = generate_task(domain, level, index)
            assert structure_problems(task) == []


def test_levels_grow():
    params = [LEVELS[n].params for n in sorted(LEVELS)]
    assert params == sorted(params)
    assert [LEVELS[n].distractors[1] for n in sorted(LEVELS)] == sorted(LEVELS[n].distractors[1] for n in LEVELS)
    assert LEVELS[5].max_sub_answers == 10 and LEVELS[5].distractors == (8, 12)


def test_level_5_has_about_seven_parameters_per_tool():
    counts = [n for i in range(10) for n in measure_task(generate_task("travel", 5, i)).params_per_tool]
    assert 6 <= sum(counts) / len(counts) <= 8


def test_level_table_rows():
    rows = level_table()
    assert [r["level"] for r in rows] == ["L1", "L2", "L3", "L4", "L5"]
    assert rows[0]["scenario"] == ScenarioKind.SINGLE_HOP.value and rows[4]["distractors"] == "8-12"

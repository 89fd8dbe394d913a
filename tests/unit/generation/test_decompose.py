import pytest

from tests.unit.generation.helpers import stage_outputs
from toolgym.generation.backends.procedural.calculator import aggregate
from toolgym.generation.stages.decompose import check_scenario
from toolgym.generation.stages.errors import GenerationRejected
from toolgym.models.task import ScenarioKind


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_sub_answers_come_from_the_world(level):
    for index in range(5):
        _, scenario, *_ = stage_outputs("travel", level, index)
        entities = {e.name: e for kind in scenario.world.values() for e in kind}
        # a kind found by a search is looked up by id (generator 0.3.0)
        entities |= {e.values["id"]: e for kind in scenario.id_kinds for e in scenario.world[kind]}
        for q in scenario.sub_questions:
            if q.role == "lookup":
                assert entities[q.subject].values[q.field] == q.value and q.answer == str(q.value)
            elif q.role == "search":
                assert entities[q.subject].values["id"] == q.value == q.answer
        check_scenario(scenario)


def test_multi_hop_arguments_are_previous_answers():
    for index in range(5):
        _, scenario, *_ = stage_outputs("travel", 3, index)
        assert scenario.kind is ScenarioKind.MULTI_HOP and scenario.aggregation is None
        for previous, q in zip(scenario.sub_questions, scenario.sub_questions[1:]):
            assert q.depends_on == (previous.id,) and q.subject == previous.answer
        assert scenario.answer == scenario.sub_questions[-1].answer


def test_parallel_scenarios_aggregate_the_chain_ends():
    for level in (2, 4, 5):
        _, scenario, *_ = stage_outputs("finance", level, 1)
        values = {q.id: q.value for q in scenario.sub_questions}
        agg = scenario.aggregation
        assert agg is not None and scenario.answer == agg.answer
        assert agg.value == aggregate(agg.operation, [values[i] for i in agg.depends_on], list(agg.labels) or None)


def test_question_names_the_start_entities_only():
    _, scenario, *_ = stage_outputs("travel", 4, 2)
    starts = [q for q in scenario.sub_questions if q.hop == 0]
    assert all(q.subject in scenario.question for q in starts)
    assert not any(q.answer in scenario.question for q in scenario.sub_questions)


def test_check_scenario_rejects_forward_dependencies():
    _, scenario, *_ = stage_outputs("travel", 3, 0)
    first, *rest = scenario.sub_questions
    broken = scenario.model_copy(update={"sub_questions": (first.model_copy(update={"depends_on": ("q9",)}),
                                                           *rest)})
    with pytest.raises(GenerationRejected, match="depends on"):
        check_scenario(broken)


def test_check_scenario_rejects_answers_with_the_separator():
    _, scenario, *_ = stage_outputs("travel", 1, 0)
    with pytest.raises(GenerationRejected, match="', '"):
        check_scenario(scenario.model_copy(update={"answer": "a, b"}))

from tests.fixtures.tasks import multi_hop
from toolgym.generation.measure import chain_lengths, measure_task, type_class
from toolgym.generation.pipeline import generate_task


def test_measure_reads_chains_from_the_gold_plan():
    task = generate_task("travel", 4, 0)
    m = measure_task(task)
    assert m.aggregated and len(m.chain_lengths) == 2 and m.turns == 1 + m.hops
    assert m.sub_answers == sum(m.chain_lengths) + 1


def test_measure_works_on_hand_written_tasks():
    task = multi_hop()
    assert chain_lengths(task)  # a task toolgym did not generate still measures
    assert measure_task(task).sub_answers == task.num_expected


def test_type_classes():
    assert type_class({"type": "string", "enum": ["a"]}) == "enum"
    assert type_class({"type": "string", "format": "date"}) == "date"
    assert type_class({"type": "array"}) == "array"

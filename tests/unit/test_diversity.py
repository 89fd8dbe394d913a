"""The diversity measure (`toolgym stats`): answer types, skeletons, shapes, and the command on every source."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.cli import main
from toolgym.diversity import ANSWER_TYPES, answer_type, diversity, mixed_tasks, parameter_shape, question_skeleton
from toolgym.models import load_tasks

FTRL_FILE = "tests/fixtures/ftrl/tasks.jsonl"


@pytest.mark.parametrize("answer, kind", [
    ("918", "number"), ("-2,048.5", "number"), ("12%", "number"), ("4,200 m", "quantity"),
    ("12.5 kg", "quantity"), ("$3 per night", "quantity"), ("2031-04-12", "date"), ("March 3, 2024", "date"),
    ("yes", "boolean"), ("False", "boolean"), ("Hotel Brask", "entity"), ("terracotta", "text"),
    ("Brask, Quell", "list")])
def test_answer_types(answer, kind):
    assert answer_type(answer) == kind


@given(st.text(max_size=60))
def test_every_text_has_one_answer_type_and_a_skeleton(text):
    assert answer_type(text) in ANSWER_TYPES
    assert isinstance(question_skeleton(text), str)


def test_skeletons_blank_names_numbers_and_quotes_but_keep_the_relation():
    assert question_skeleton("What is the price of Hotel Brask?") == question_skeleton(
        "What is the price of Hotel Quellin Dar?")
    assert question_skeleton('Is "ab" cheaper than 12?') == "is <s> cheaper than <n>?"
    assert question_skeleton("What is the price of Brask?") != question_skeleton("What is the size of Brask?")


def test_parameter_shapes_spell_nested_types_and_required():
    schema = {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string"}, "b": {"type": "string", "enum": ["x"]},
        "c": {"type": "array", "items": {"type": "integer"}},
        "d": {"type": "object", "properties": {"e": {"type": "string", "format": "date"}}}}}
    assert parameter_shape(schema) == "array[integer],enum,object{date},string!"
    assert parameter_shape({"type": "object"}) == "-"


def test_diversity_of_a_generated_mix_covers_every_level_and_domain():
    tasks = mixed_tasks(["travel", "food"], [1, 5], 8)
    d = diversity(tasks)
    assert d.tasks == 8 and d.domains == 2 and sum(d.answer_types.values()) == 8
    assert {"single_hop", "parallel_multi_hop"} == set(d.scenarios)
    assert d.tool_names >= len(tasks[0].tools) and d.calls_per_task >= 1
    with pytest.raises(ValueError, match="at least one task"):
        diversity([])


def test_stats_command_reads_ids_domains_and_both_file_formats(tmp_path, capsys):
    assert main(["stats", "ToolEnv/travel-L3", "food", "--levels", "1", "--n", "6", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["tasks"] == 6 and row["domains"] == 2
    assert main(["stats", FTRL_FILE]) == 0
    out = capsys.readouterr().out
    assert f"{len(load_tasks(FTRL_FILE))} tasks" in out and "distinct tool names" in out
    native = tmp_path / "t.jsonl"
    assert main(["generate", "--domains", "travel", "--levels", "2", "--n", "3", "--out", str(native)]) == 0
    capsys.readouterr()
    assert main(["stats", str(native), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenarios"] == {"parallel_single_hop": 3}


@pytest.mark.parametrize("argv, message", [
    (["stats", "nowhere/file.jsonl"], "no such task file"), (["stats", "atlantis"], "unknown domain"),
    (["stats", "ToolEnv/travel-L9"], "level"), (["stats", "--n", "0"], "--n must be at least 1")])
def test_stats_refuses_bad_sources_in_one_line(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_mix_of_all_levels_meets_the_variety_the_paper_shows():
    from toolgym.generation import domain_names

    d = diversity(mixed_tasks(domain_names(), [1, 2, 3, 4, 5], 200))
    assert d.domains >= 30 and len(d.scenarios) == 4
    assert d.non_numeric_share >= 0.5, d.answer_types
    assert d.tool_names >= 800 and d.question_skeletons >= 190
    assert sum(v > 0 for v in d.answer_types.values()) >= 6  # numbers, quantities, dates, yes/no, names, words


def test_surface_features_are_read_from_the_records():
    from toolgym.diversity import FEATURES, task_features
    from toolgym.generation import generate_task

    seen = set()
    for level in (2, 3, 4):
        for index in range(12):
            task = generate_task("travel", level, index)
            found = task_features(task)
            searches = [t for t in task.tools if t.function.description.startswith("Search")]
            assert ("search tool" in found) == bool(searches)
            assert ("list tool" in found) == any(t.name.lower().startswith("list") for t in task.tools)
            seen |= found
    assert seen == set(FEATURES)
    assert task_features(generate_task("travel", 1, 0)) == frozenset()  # level 1 is plain lookups
    d = diversity(load_tasks(FTRL_FILE))
    assert set(d.features) == set(FEATURES) and all(v >= 0 for v in d.features.values())

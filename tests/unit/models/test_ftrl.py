"""Reading and writing the FTRL reference's record format."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import pytest

from tests.fixtures.tasks import all_tasks
from toolgym import MissingDependencyError, TaskValidationError, load_tasks, save_tasks
from toolgym.models.ftrl import FtrlTask, ftrl_from_task, parse_question, task_from_ftrl

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ftrl"
TASKS = FIXTURES / "tasks.jsonl"


def records(path: Path = TASKS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_auto_detects_and_converts():
    tasks = load_tasks(TASKS)
    assert [type(t) for t in tasks] == [FtrlTask] * 4
    first = tasks[0]
    assert first.question == "How much do 3 nights cost at the hotel in the city where flight ZX-101 lands?"
    assert first.scenario.value == "multi_hop" and first.split == "test" and first.gold_plan is None
    assert first.provenance.generator == "ftrl" and first.provenance.source == "self/multi_hop"
    assert first.expected == {"flight_destination": ("Velmora",), "hotel_price": ("1,536",)}
    assert first.tool_names == ("hotel_price", "get_weather", "flight_destination")
    assert first.ftrl.solve_rate == 0.0 and first.opening_messages() == records()[0]["messages"]
    assert len({t.id for t in tasks}) == 4 and all(t.id.startswith("ftrl-") for t in tasks)
    assert load_tasks(TASKS, format="ftrl") == tasks


def test_sampled_state_keeps_exact_messages():
    state = load_tasks(TASKS)[3]
    assert state.ftrl.solve_rate == 0.5
    assert [m["role"] for m in state.opening_messages()] == ["user", "assistant", "tool"]
    assert state.opening_messages()[1]["tool_calls"][0]["id"] == "call_1"
    assert len(state.messages) == 1  # Task's own field keeps the plain prefix
    assert state.num_expected == 1


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_round_trip_is_lossless(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    tasks = load_tasks(TASKS)
    path = save_tasks(tasks, tmp_path / f"out{suffix}", format="ftrl")
    again = load_tasks(path)
    assert again == tasks
    assert [t.opening_messages() for t in again] == [t.opening_messages() for t in tasks]
    assert save_tasks(again, tmp_path / f"twice{suffix}", format="ftrl").read_bytes() == path.read_bytes()


def test_saved_jsonl_uses_the_reference_encoding(tmp_path):
    path = save_tasks(load_tasks(TASKS), tmp_path / "out.jsonl", format="ftrl")
    row, original = records(path)[0], records()[0]
    assert list(row) == ["messages", "tools", "codes", "unsolved_set", "answer", "solve_rate", "data_source",
                         "split"]
    assert isinstance(row["tools"], str) and isinstance(row["messages"], list)
    for column in ("codes", "unsolved_set"):
        assert json.loads(row[column]) == json.loads(original[column])


def test_native_tasks_survive_the_ftrl_format(tmp_path):
    tasks = all_tasks()
    again = load_tasks(save_tasks(tasks, tmp_path / "native.jsonl", format="ftrl"))
    assert [t.id for t in again] == [t.id for t in tasks]
    assert [t.gold_plan for t in again] == [t.gold_plan for t in tasks]
    assert [t.content_hash for t in again] == [t.content_hash for t in tasks]


def test_native_values_are_accepted():
    row = records()[1]
    native = {**row, **{c: json.loads(row[c]) for c in ("tools", "codes", "unsolved_set")}}
    assert task_from_ftrl(native) == task_from_ftrl(row)


def test_duplicate_records_get_distinct_ids(tmp_path):
    path = write(tmp_path / "dup.jsonl", [records()[2]] * 2)
    first, second = load_tasks(path)
    assert second.id == first.id + "-2"
    assert load_tasks(save_tasks([first, second], tmp_path / "again.jsonl", format="ftrl")) == [first, second]


def test_question_and_scenario_fallbacks():
    assert parse_question([{"role": "user", "content": "no marker here "}]) == "no marker here"
    row = {**records()[2], "data_source": "other/thing"}
    assert task_from_ftrl(row).scenario.value == "single_hop"


@pytest.mark.parametrize("change, match", [
    ({"tools": "[not json"}, r"line 2, field 'tools': invalid JSON"),
    ({"codes": '{"stock_price": "def stock_price(t): pass"}'}, r"line 2, field 'codes'.*code is missing"),
    ({"unsolved_set": '{"nope": ["1"]}'}, r"line 2, field 'unsolved_set'.*expected names tools not in tools"),
    ({"answer": None}, r"line 2, field 'answer': expected a string"),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, r"line 2, field 'messages': no user message"),
    ({"solve_rate": "half"}, r"line 2, field 'solve_rate': expected a number"),
])
def test_errors_name_file_line_and_field(tmp_path, change, match):
    rows = records()[:2]
    rows[1] = {**rows[1], **change}
    path = write(tmp_path / "bad.jsonl", rows)
    with pytest.raises(TaskValidationError, match=match) as info:
        load_tasks(path)
    assert str(path) in str(info.value)


def test_missing_column(tmp_path):
    row = records()[0]
    del row["codes"]
    path = write(tmp_path / "bad.jsonl", [row])
    with pytest.raises(TaskValidationError, match=r"field 'codes'"):
        load_tasks(path, format="ftrl")


def test_parquet_without_pyarrow(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(MissingDependencyError, match=r'pip install "toolgym\[parquet\]"'):
        save_tasks(load_tasks(TASKS), tmp_path / "x.parquet", format="ftrl")
    (tmp_path / "y.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(MissingDependencyError, match="pyarrow"):
        load_tasks(tmp_path / "y.parquet")


def test_parquet_native_columns(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    rows = records()[:3]
    native = [{**r, **{c: json.loads(r[c]) for c in ("codes", "unsolved_set")}} for r in rows]
    pq.write_table(pa.Table.from_pylist([{**r, "codes": json.dumps(r["codes"])} for r in native]),
                   tmp_path / "t.parquet")
    assert load_tasks(tmp_path / "t.parquet") == load_tasks(TASKS)[:3]


def test_record_helpers_round_trip():
    task = load_tasks(TASKS)[1]
    assert task_from_ftrl(ftrl_from_task(task)) == task

import gzip
import json

import pytest

from tests.fixtures.tasks import all_tasks
from toolgym.errors import TaskValidationError, UnknownNameError
from toolgym.models import load_tasks, save_tasks


@pytest.mark.parametrize("name", ["tasks.jsonl", "tasks.jsonl.gz"])
def test_save_load_round_trip(tmp_path, name):
    tasks = all_tasks()
    path = save_tasks(tasks, tmp_path / name)
    assert load_tasks(path) == tasks
    if name.endswith(".gz"):
        assert gzip.open(path, "rt").readline().startswith("{")


def _write_lines(path, records):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")


def test_invalid_json_names_file_and_line(tmp_path):
    good = all_tasks()[0].model_dump(mode="json")
    path = tmp_path / "bad.jsonl"
    _write_lines(path, [good, "{not json"])
    with pytest.raises(TaskValidationError, match=r"bad.jsonl, line 2: invalid JSON"):
        load_tasks(path)


def test_invalid_field_names_file_line_and_field(tmp_path):
    good, other = (t.model_dump(mode="json") for t in all_tasks()[:2])
    other.pop("content_hash")
    other["tools"][0]["function"]["name"] = "bad name"
    path = tmp_path / "bad.jsonl"
    _write_lines(path, [good, "", other])
    with pytest.raises(TaskValidationError, match=r"line 3, field 'tools.0.function.name': .*must match") as e:
        load_tasks(path)
    assert e.value.line == 3 and e.value.field == "tools.0.function.name"


def test_duplicate_ids_and_non_objects(tmp_path):
    good = all_tasks()[0].model_dump(mode="json")
    path = tmp_path / "dup.jsonl"
    _write_lines(path, [good, good])
    with pytest.raises(TaskValidationError, match="duplicate task id 'weather-1' \\(first on line 1\\)"):
        load_tasks(path)
    _write_lines(path, ["[1, 2]"])
    with pytest.raises(TaskValidationError, match="expected a JSON object, got list"):
        load_tasks(path)


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(TaskValidationError, match="no such file"):
        load_tasks(tmp_path / "nope.jsonl")
    corrupt = tmp_path / "x.jsonl.gz"
    corrupt.write_bytes(b"not gzip at all")
    with pytest.raises(TaskValidationError, match="cannot read"):
        load_tasks(corrupt)


def test_failed_save_leaves_existing_file_intact(tmp_path):
    path = save_tasks(all_tasks(), tmp_path / "t.jsonl")
    before = path.read_bytes()
    with pytest.raises(TypeError, match="expects Task objects"):
        save_tasks([all_tasks()[0], {"not": "a task"}], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]


def test_unknown_format():
    with pytest.raises(UnknownNameError, match="unknown task file format 'csv'; choose one of: auto, ftrl, native"):
        load_tasks("x", format="csv")


def test_gzip_output_is_byte_for_byte_reproducible(tmp_path):
    a = save_tasks(all_tasks(), tmp_path / "a.jsonl.gz").read_bytes()
    b = save_tasks(all_tasks(), tmp_path / "b.jsonl.gz").read_bytes()
    assert a == b

"""A task file is hostile input: every bad file is a `TaskValidationError` naming where, never a raw exception."""

from __future__ import annotations

import datetime
import gzip
import json
import zlib
from pathlib import Path

import pytest

from tests.fixtures.tasks import all_tasks
from toolgym import TaskValidationError, ToolEnv, load_tasks
from toolgym.models import io

FTRL = Path(__file__).parents[2] / "fixtures" / "ftrl" / "tasks.jsonl"


def ftrl_row() -> dict:
    return json.loads(FTRL.read_text().splitlines()[0])


def native_row() -> dict:
    row = all_tasks()[0].model_dump(mode="json")
    row.pop("content_hash")
    return row


def nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_corrupt_gzip_body(tmp_path):
    data = bytearray(gzip.compress(json.dumps(native_row()).encode() * 50))
    data[20:40] = b"\xff" * 20  # a valid header, a broken deflate stream
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(TaskValidationError, match=r"x.jsonl.gz: cannot read"):
        load_tasks(path)


@pytest.mark.parametrize("text, match", [
    ("[" * 100_000 + "]" * 100_000, r"line 1: invalid JSON: nested too deeply"),
    ('{"id": ' + "1" * 4301 + "}", r"line 1: invalid JSON: Exceeds the limit"),
])
def test_lines_python_cannot_decode(tmp_path, text, match):
    with pytest.raises(TaskValidationError, match=match):
        load_tasks(write(tmp_path / "x.jsonl", text + "\n"))


def test_a_deeply_nested_schema_or_code_map(tmp_path):
    row = native_row()
    row["tools"][0]["function"]["parameters"] = {"type": "object", "properties": {"x": nested(300)}}
    with pytest.raises(TaskValidationError, match=r"line 1"):
        load_tasks(write(tmp_path / "schema.jsonl", json.dumps(row) + "\n"))
    row = ftrl_row()
    row["codes"] = json.dumps(nested(900))
    with pytest.raises(TaskValidationError, match=r"line 1, field 'codes"):
        load_tasks(write(tmp_path / "codes.jsonl", json.dumps(row) + "\n"))


@pytest.mark.parametrize("labels, match", [
    ("{not json", r"field 'toolgym': invalid JSON"), ("[1, 2]", r"field 'toolgym': expected dict, got list"),
    (5, r"field 'toolgym': expected dict, got int"),
])
def test_a_bad_toolgym_column(tmp_path, labels, match):
    row = {**ftrl_row(), "toolgym": labels}
    with pytest.raises(TaskValidationError, match=match):
        load_tasks(write(tmp_path / "x.jsonl", json.dumps(row) + "\n"))


@pytest.mark.parametrize("message, match", [
    ({"role": "assistant", "content": "", "tool_calls": "oops"}, r"messages\[1\].tool_calls'.*must be a list"),
    ({"role": "assistant", "content": "", "tool_calls": [5]}, r"messages\[1\].tool_calls\[0\]'"),
    ({"role": "assistant", "content": 5}, r"messages\[1\].content'.*string or null"),
    ({"role": "robot", "content": "hi"}, r"messages\[1\]'.*'role'"),
])
def test_malformed_opening_messages_fail_at_load_not_at_reset(tmp_path, message, match):
    row = ftrl_row()
    row["messages"] = [*row["messages"], message]
    with pytest.raises(TaskValidationError, match=match):
        load_tasks(write(tmp_path / "x.jsonl", json.dumps(row) + "\n"))


def test_well_formed_opening_tool_calls_reset_and_render(tmp_path):
    row = ftrl_row()
    call = {"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}  # no id: render copes
    row["messages"] = [*row["messages"], {"role": "assistant", "content": None, "tool_calls": [call]}]
    env = ToolEnv(load_tasks(write(tmp_path / "x.jsonl", json.dumps(row) + "\n")), trust_code=False)
    env.reset(seed=0)
    assert "-> f(" in env.render()


def test_parquet_extra_columns_json_cannot_hold(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    for column, value in [("blob", b"\x00\x01"), ("when", datetime.datetime(2025, 1, 1))]:
        pq.write_table(pa.Table.from_pylist([{**ftrl_row(), column: value}]), tmp_path / "t.parquet")
        with pytest.raises(TaskValidationError, match=rf"line 1, field '{column}': an extra column must hold JSON"):
            load_tasks(tmp_path / "t.parquet")


def test_a_gzip_bomb_line_is_refused_without_inflating_it(tmp_path, monkeypatch):
    monkeypatch.setattr(io, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * 10_000_000 + b"]\n"))
    assert path.stat().st_size < 100_000
    with pytest.raises(TaskValidationError, match=r"line 1: line longer than 1,000 characters"):
        load_tasks(path)

import json

import pytest

from toolgym.errors import ToolgymError
from toolgym.rollout.store import TrajectoryFile


def test_finished_lines_are_read_back_and_a_partial_tail_is_dropped(tmp_path):
    path = tmp_path / "run" / "t.jsonl"
    with TrajectoryFile(path) as out:
        out.write({"key": "a", "x": 1})
        out.write({"key": "b", "x": 2})
    finished = path.read_bytes()
    with path.open("ab") as f:
        f.write(b'{"key": "c", "x"')  # a kill in the middle of a write
    again = TrajectoryFile(path)
    assert list(again.finished) == ["a", "b"]
    assert path.read_bytes() == finished
    with again:
        again.write({"key": "c", "x": 3})
    assert path.read_bytes().startswith(finished) and list(TrajectoryFile(path).finished) == ["a", "b", "c"]


def test_a_corrupt_line_names_its_number(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"key": "a"}) + "\nnot json\n")
    with pytest.raises(ToolgymError, match="line 2: not a trajectory"):
        TrajectoryFile(path)

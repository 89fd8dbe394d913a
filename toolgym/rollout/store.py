"""Trajectories on disk: one JSON line per finished episode, appended and flushed as each episode ends.

Resume: reopening the same file reads the finished keys back, so a re-run skips them. A killed run loses at most
the episodes in flight; a line it was writing when killed (no final newline) is cut off on reopening, and no
finished line is ever rewritten. A line that is not valid JSON is corruption, reported with its line number.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import IO, Any

from toolgym.errors import ToolgymError
from toolgym.rollout.runner import Trajectory

RUN_CONFIG = "config.json"  # a run directory's settings, checked when the run is resumed


class TrajectoryFile:
    """Append-only JSONL of trajectories; `finished` holds what the file already had when opened.

    >>> with TrajectoryFile("run/trajectories.jsonl") as out:          # doctest: +SKIP
    ...     todo = [s for s in specs if s.key not in out.finished]
    ...     rollout(todo, policy, on_done=out.write)
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.finished: dict[str, Trajectory] = read_trajectories(self.path, drop_partial_tail=True)
        self._file: IO[str] | None = None

    def __enter__(self) -> TrajectoryFile:
        self._file = self.path.open("a", encoding="utf-8")
        return self

    def write(self, trajectory: Trajectory) -> None:
        """Append one finished episode as one line, flushed at once (one `write`: never half a line on a crash
        of Python itself; a killed process can leave a partial tail, dropped on reopening)."""
        if self._file is None:
            raise ToolgymError("TrajectoryFile.write outside `with`")
        self._file.write(json.dumps(trajectory, ensure_ascii=False) + "\n")
        self._file.flush()
        self.finished[trajectory["key"]] = trajectory

    def __exit__(self, *exc: Any) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_trajectories(path: Path, *, drop_partial_tail: bool = False) -> dict[str, Trajectory]:
    """The trajectories of a JSONL file by key (an absent file has none). With `drop_partial_tail`, an
    unterminated last line (a write cut by a kill) is removed from the file instead of failing."""
    if not path.exists():
        return {}
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        if not drop_partial_tail:
            raise ToolgymError(f"{path}: the last line is incomplete (a run was killed while writing it)")
        data = data[: data.rfind(b"\n") + 1]
        with path.open("r+b") as f:  # only the unfinished tail goes; every finished line stays as written
            f.truncate(len(data))
    found: dict[str, Trajectory] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
            found[record["key"]] = record
        except (json.JSONDecodeError, TypeError, KeyError) as e:
            raise ToolgymError(f"{path}, line {number}: not a trajectory ({e}); move the file away to start "
                               f"afresh") from None
    return found


def claim_run_dir(out: Path, settings: dict[str, Any], resume_free: Collection[str]) -> None:
    """Make `out` the directory of the run with `settings` (written to `out/config.json`), or resume it; refuse a
    directory that holds a run whose settings differ in anything but `resume_free`."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / RUN_CONFIG
    if path.exists():
        found = json.loads(path.read_text())
        differs = sorted(k for k in settings.keys() | found.keys()
                         if k not in resume_free and settings.get(k) != found.get(k))
        if differs:
            raise ToolgymError(f"{out} holds a run with other settings ({', '.join(differs)} differ): "
                               f"use another --out, or the same settings to resume it")
    path.write_text(json.dumps(settings, indent=2) + "\n")

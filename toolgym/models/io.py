"""Reading and writing task files.

Native format: JSON Lines, one `Task` per line (`.jsonl`, or `.jsonl.gz` gzipped). Loading is all-or-nothing: the
first bad line raises `TaskValidationError` naming the file, line and field, and no task is returned. Saving writes
a temporary file beside the target and renames it, so an interrupted save never leaves a truncated file.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from toolgym.errors import TaskValidationError, UnknownNameError
from toolgym.models.task import Task

FORMATS = ("native",)


def _open(path: Path, mode: str, *, gz: bool | None = None) -> IO[str]:
    if not (path.suffix == ".gz" if gz is None else gz):
        return open(path, mode, encoding="utf-8")
    if mode == "r":
        return gzip.open(path, "rt", encoding="utf-8")
    # No file name and a zero timestamp in the header: the same tasks always give the same bytes.
    raw = gzip.GzipFile(filename="", mode="wb", fileobj=open(path, "wb"), mtime=0)
    return io.TextIOWrapper(_ClosingGzip(raw), encoding="utf-8")


class _ClosingGzip(io.BufferedIOBase):
    """A gzip writer that also closes the file object it wraps (GzipFile leaves it open)."""

    def __init__(self, raw: gzip.GzipFile) -> None:
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self._raw.write(data)

    def close(self) -> None:
        if not self.closed:
            fileobj = self._raw.fileobj
            self._raw.close()
            if fileobj is not None:
                fileobj.close()
        super().close()


def _field_of(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    return ".".join(str(p) for p in first["loc"]), first["msg"]


def task_from_record(record: Any, *, path: str | None = None, line: int | None = None) -> Task:
    """Validate one decoded JSON record as a `Task`, with errors naming where it came from."""
    if not isinstance(record, dict):
        raise TaskValidationError(f"expected a JSON object, got {type(record).__name__}", path=path, line=line)
    try:
        return Task.model_validate(record)
    except ValidationError as e:
        field, msg = _field_of(e)
        raise TaskValidationError(msg, path=path, line=line, field=field or None) from None


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        with _open(path, "r") as f:
            for number, text in enumerate(f, start=1):
                if not text.strip():
                    continue
                try:
                    yield number, json.loads(text)
                except json.JSONDecodeError as e:
                    raise TaskValidationError(f"invalid JSON: {e.msg} (column {e.colno})",
                                              path=str(path), line=number) from None
    except (OSError, EOFError, UnicodeDecodeError) as e:
        if isinstance(e, FileNotFoundError):
            raise TaskValidationError("no such file", path=str(path)) from None
        raise TaskValidationError(f"cannot read: {e}", path=str(path)) from None


def load_tasks(path: str | os.PathLike[str], *, format: str = "native") -> list[Task]:
    """Load every task of a JSONL file (gzipped when the name ends in `.gz`).

    Raises `TaskValidationError` (file, line, field) on the first invalid record or duplicate id.
    """
    if format not in FORMATS:
        raise UnknownNameError("task file format", format, list(FORMATS))
    path = Path(path)
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for number, record in _records(path):
        task = task_from_record(record, path=str(path), line=number)
        if task.id in seen:
            raise TaskValidationError(f"duplicate task id {task.id!r} (first on line {seen[task.id]})",
                                      path=str(path), line=number, field="id")
        seen[task.id] = number
        tasks.append(task)
    return tasks


def save_tasks(tasks: Iterable[Task], path: str | os.PathLike[str], *, format: str = "native") -> Path:
    """Write tasks as JSON Lines (gzipped when the name ends in `.gz`), atomically. Returns the path."""
    if format not in FORMATS:
        raise UnknownNameError("task file format", format, list(FORMATS))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        with _open(Path(tmp), "w", gz=path.suffix == ".gz") as f:
            for task in tasks:
                if not isinstance(task, Task):
                    raise TypeError(f"save_tasks expects Task objects, got {type(task).__name__}")
                f.write(task.model_dump_json())
                f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

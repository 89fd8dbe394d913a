"""Reading and writing task files.

Native format: JSON Lines, one `Task` per line (`.jsonl`, or `.jsonl.gz` gzipped). The FTRL reference's format
(`format="ftrl"`, see `toolgym.models.ftrl`) is read from JSONL or Parquet (`.parquet`, needs the `parquet` extra)
and detected automatically by `load_tasks`. Loading is all-or-nothing: the first bad line raises
`TaskValidationError` naming the file, line and field, and no task is returned: whatever the bytes (corrupt
gzip, nesting deeper than Python recurses, integers longer than it converts, a line over `MAX_LINE_CHARS`), no
other exception escapes. Saving writes a temporary file
beside the target and renames it, so an interrupted save never leaves a truncated file.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from toolgym.errors import MissingDependencyError, TaskValidationError, UnknownNameError
from toolgym.models import ftrl
from toolgym.models.task import Task

FORMATS = ("auto", "native", "ftrl")
MAX_LINE_CHARS = 32 * 2**20  # a task is kilobytes; a longer line is a corrupt or hostile file (a gzip bomb)
PARQUET_MAGIC = b"PAR1"


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
            number = 0
            while text := f.readline(MAX_LINE_CHARS + 1):  # bounded: a huge line never sits whole in memory
                number += 1
                if len(text) > MAX_LINE_CHARS:
                    raise TaskValidationError(f"line longer than {MAX_LINE_CHARS:,} characters: not a task record",
                                              path=str(path), line=number)
                if text.strip():
                    yield number, _decoded_line(text, str(path), number)
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise TaskValidationError("no such file", path=str(path)) from None
        raise TaskValidationError(f"cannot read: {e}", path=str(path)) from None


def _decoded_line(text: str, path: str, number: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise TaskValidationError(f"invalid JSON: {e.msg} (column {e.colno})", path=path, line=number) from None
    except RecursionError:
        raise TaskValidationError("invalid JSON: nested too deeply", path=path, line=number) from None
    except ValueError as e:  # an integer longer than Python's int-string limit
        raise TaskValidationError(f"invalid JSON: {e}", path=path, line=number) from None


def _is_parquet(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC
    except OSError:
        return path.suffix == ".parquet"


def _parquet_records(path: Path) -> Iterator[tuple[int, Any]]:
    """Rows of a Parquet file as dicts, numbered from 1 like lines."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet") from None
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise TaskValidationError("no such file", path=str(path)) from None
    except Exception as e:  # pyarrow raises its own error types for a corrupt file
        raise TaskValidationError(f"cannot read Parquet: {e}", path=str(path)) from None
    ftrl.assert_ftrl_columns(table.column_names, str(path))
    yield from enumerate(table.to_pylist(), start=1)


def load_tasks(path: str | os.PathLike[str], *, format: str = "auto") -> list[Task]:
    """Load every task of a task file: native JSONL (gzipped when the name ends in `.gz`), or the FTRL reference's
    JSONL or Parquet. `format="auto"` tells them apart by the file's magic bytes and the first record's columns.

    Raises `TaskValidationError` (file, line, field) on the first invalid record or duplicate id.
    """
    if format not in FORMATS:
        raise UnknownNameError("task file format", format, list(FORMATS))
    path = Path(path)
    parquet = _is_parquet(path)
    if parquet and format == "native":
        raise TaskValidationError("a Parquet file is read with format='ftrl' (native task files are JSONL)",
                                  path=str(path))
    records = _parquet_records(path) if parquet else _records(path)
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for number, record in records:
        if format == "auto":
            format = "ftrl" if parquet or ftrl.is_ftrl_record(record) else "native"
        task = _task(record, format, str(path), number)
        if format == "ftrl":
            task = _unique_ftrl_id(task, seen)
        if task.id in seen:
            raise TaskValidationError(f"duplicate task id {task.id!r} (first on line {seen[task.id]})",
                                      path=str(path), line=number, field="id")
        seen[task.id] = number
        tasks.append(task)
    return tasks


def _task(record: Any, format: str, path: str, number: int) -> Task:
    """One record as a task; whatever goes wrong inside validation is a `TaskValidationError` naming the line."""
    try:
        if format == "ftrl":
            return ftrl.task_from_ftrl(record, path=path, line=number)
        return task_from_record(record, path=path, line=number)
    except TaskValidationError:
        raise
    except RecursionError:  # a schema, code map or message nested deeper than Python recurses
        raise TaskValidationError("nested too deeply", path=path, line=number) from None
    except (ValueError, TypeError) as e:  # e.g. an integer too long to convert, a value JSON cannot hold
        raise TaskValidationError(f"invalid record: {e}", path=path, line=number) from None


def _unique_ftrl_id(task: Task, seen: dict[str, int]) -> Task:
    """A reference file may hold the same record twice: number the repeats rather than reject the file."""
    if task.id not in seen or not task.id.startswith(ftrl.ID_PREFIX):
        return task
    n = 2
    while f"{task.id}-{n}" in seen:
        n += 1
    return task.model_copy(update={"id": f"{task.id}-{n}"})  # private fields (the exact record) come along


def _checked(tasks: Iterable[Task]) -> Iterator[Task]:
    for task in tasks:
        if not isinstance(task, Task):
            raise TypeError(f"save_tasks expects Task objects, got {type(task).__name__}")
        yield task


def _write_jsonl(tasks: Iterable[Task], tmp: Path, *, gz: bool, format: str) -> None:
    with _open(tmp, "w", gz=gz) as f:
        for task in _checked(tasks):
            if format == "ftrl":
                f.write(json.dumps(ftrl.ftrl_from_task(task), ensure_ascii=False))
            else:
                f.write(task.model_dump_json())
            f.write("\n")


def _write_parquet(tasks: Iterable[Task], tmp: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet") from None
    records = [ftrl.ftrl_from_task(task) for task in _checked(tasks)]
    if not ftrl.messages_are_plain(records):  # tool calls and tool messages do not fit one struct type: use JSON
        records = [{**r, "messages": json.dumps(r["messages"], ensure_ascii=False)} for r in records]
    pq.write_table(pa.Table.from_pylist(records), tmp)


def _umask() -> int:
    """The process's umask (reading it means setting it: set it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_tasks(tasks: Iterable[Task], path: str | os.PathLike[str], *, format: str = "native") -> Path:
    """Write tasks atomically; return the path. `format="native"`: JSON Lines (gzipped when the name ends in
    `.gz`). `format="ftrl"`: the reference's records, as JSON Lines, or Parquet when the name ends in `.parquet`.
    """
    if format not in FORMATS or format == "auto":
        raise UnknownNameError("task file format", format, [f for f in FORMATS if f != "auto"])
    path = Path(path)
    parquet = path.suffix == ".parquet"
    if parquet and format != "ftrl":
        raise TaskValidationError("Parquet is written with format='ftrl' only", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        if parquet:
            _write_parquet(tasks, Path(tmp))
        else:
            _write_jsonl(tasks, Path(tmp), gz=path.suffix == ".gz", format=format)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file 0600: give it the mode any new file gets
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

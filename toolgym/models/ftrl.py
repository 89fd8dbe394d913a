"""The FTRL reference's record format: reading it into `Task`s and writing it back.

A reference record has the columns `messages`, `tools`, `codes`, `unsolved_set`, `answer`, `solve_rate`,
`data_source` and `split` (see `shared/docs/paper.md` §2); `tools`, `codes` and `unsolved_set` are JSON strings in
the reference's files, native values are accepted too. A record becomes an `FtrlTask`: a `Task` (question parsed
from the `Question: ...` line, scenario from `data_source` `self/<scenario>`, no gold plan, provenance generator
"ftrl") that also keeps what `Task` has no field for: the exact opening messages (a sampled training state carries
assistant and tool messages), `solve_rate`, `data_source` and any unknown columns. So load -> save -> load gives
equal tasks, and an `FtrlTask` opens its episodes with the reference's exact messages.

Trust is never read from a record: tasks loaded from a file run in the sandbox unless the caller trusts them.

>>> record = {"messages": [{"role": "user", "content": "Use the tools.\\nQuestion: 2+3?"}],
...           "tools": '[{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]',
...           "codes": '{"add": "def add(a, b):\\\\n    return a + b"}', "unsolved_set": '{"add": ["5"]}',
...           "answer": "5", "solve_rate": 0.0, "data_source": "self/single_hop", "split": "test"}
>>> task = task_from_ftrl(record)
>>> task.question, task.scenario.value, task.split, task.provenance.generator
('2+3?', 'single_hop', 'test', 'ftrl')
>>> task_from_ftrl(ftrl_from_task(task)) == task
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import PrivateAttr, ValidationError

from toolgym.errors import TaskValidationError
from toolgym.models.task import Provenance, ScenarioKind, Task

FTRL_COLUMNS = ("messages", "tools", "codes", "unsolved_set", "answer", "solve_rate", "data_source", "split")
REQUIRED_COLUMNS = frozenset({"messages", "tools", "codes", "unsolved_set", "answer"})
JSON_STRING_COLUMNS = ("tools", "codes", "unsolved_set")  # the reference stores these as JSON text
TOOLGYM_COLUMN = "toolgym"  # labels of a task that did not come from a reference file (id, domain, gold plan, ...)
DATA_SOURCE_PREFIX = "self/"
QUESTION_MARKER = "Question:"
ID_PREFIX = "ftrl-"
# Task field -> reference column, so an error names the column the user can see in the file.
_COLUMN_OF_FIELD = {"code": "codes", "expected": "unsolved_set", "tools": "tools", "messages": "messages",
                    "answer": "answer", "split": "split", "question": "messages", "scenario": "data_source"}
# Checks across fields (Task's model validator) carry no location: the message says which column is wrong.
_COLUMN_OF_PROBLEM = {"code is missing": "codes", "code given": "codes", "expected names": "unsolved_set",
                      "duplicate tool names": "tools", "gold_plan": TOOLGYM_COLUMN}
_MESSAGE_KEYS = frozenset({"role", "content"})
_TASK_ROLES = frozenset({"system", "user", "assistant"})
_MESSAGE_ROLES = _TASK_ROLES | {"tool"}


@dataclass(frozen=True, slots=True)
class FtrlRecord:
    """What a reference record holds beyond `Task`'s fields, kept as canonical JSON so it is immutable."""

    messages: str       # the exact messages, JSON
    solve_rate: float
    data_source: str
    extra: str = "{}"   # unknown columns, JSON object


class FtrlTask(Task):
    """A `Task` read from the reference format; `ftrl` keeps the reference-only parts for a lossless save."""

    _ftrl: FtrlRecord | None = PrivateAttr(default=None)

    @property
    def ftrl(self) -> FtrlRecord | None:
        return self._ftrl

    def opening_messages(self) -> list[dict[str, Any]]:
        """The reference's exact opening messages (assistant and tool messages of a sampled state included)."""
        if self._ftrl is None:
            return super().opening_messages()
        return json.loads(self._ftrl.messages)


def is_ftrl_record(record: Any) -> bool:
    """Whether a decoded record looks like the reference format (rather than a native `Task`)."""
    return isinstance(record, dict) and "codes" in record and "unsolved_set" in record and "code" not in record


# --- reading ----------------------------------------------------------------------------------------------------

def _decoded(record: dict[str, Any], column: str, kind: type, where: dict[str, Any]) -> Any:
    value = record[column]
    if isinstance(value, str) and kind is not str:
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise TaskValidationError(f"invalid JSON in column: {e.msg} (column {e.colno})", field=column,
                                      **where) from None
        except RecursionError:
            raise TaskValidationError("invalid JSON in column: nested too deeply", field=column, **where) from None
        except ValueError as e:  # an integer longer than Python's int-string limit
            raise TaskValidationError(f"invalid JSON in column: {e}", field=column, **where) from None
    if not isinstance(value, kind):
        raise TaskValidationError(f"expected {kind.__name__}, got {type(value).__name__}", field=column, **where)
    if isinstance(value, dict):  # Parquet reads a map as a struct: keys of other rows come back as None
        value = {k: v for k, v in value.items() if v is not None}
    return value


def _clean_message(message: Any, index: int, where: dict[str, Any]) -> dict[str, Any]:
    """A message of the opening conversation, checked as deeply as an episode will use it (reset, render)."""
    field = f"messages[{index}]"
    if not isinstance(message, dict) or message.get("role") not in _MESSAGE_ROLES:
        raise TaskValidationError(f"each message must be an object with a 'role' in {sorted(_MESSAGE_ROLES)}",
                                  field=field, **where)
    # Parquet stores a list of messages as structs: keys absent from a message come back as None.
    message = {k: v for k, v in message.items() if v is not None or k == "content"}
    if not isinstance(message.get("content"), (str, type(None))):
        raise TaskValidationError(f"'content' must be a string or null, got {type(message['content']).__name__}",
                                  field=f"{field}.content", **where)
    calls = message.get("tool_calls", [])
    if not isinstance(calls, list):
        raise TaskValidationError(f"'tool_calls' must be a list, got {type(calls).__name__}",
                                  field=f"{field}.tool_calls", **where)
    for number, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if not (isinstance(function, dict) and isinstance(function.get("name"), str)
                and isinstance(function.get("arguments"), (str, dict))):
            raise TaskValidationError("each tool call must be an object with 'function': {'name': str, "
                                      "'arguments': str or object}", field=f"{field}.tool_calls[{number}]", **where)
    return message


def _is_task_message(message: dict[str, Any]) -> bool:
    return message.keys() == _MESSAGE_KEYS and message["role"] in _TASK_ROLES and isinstance(message["content"], str)


def parse_question(messages: list[dict[str, Any]]) -> str | None:
    """The question: the text after the last `Question:` of the first user message (all of it if none)."""
    for message in messages:
        if message["role"] == "user" and isinstance(message.get("content"), str):
            content = message["content"]
            head, marker, question = content.rpartition(QUESTION_MARKER)
            return (question if marker else content).strip()
    return None


def _scenario(data_source: str, expected: dict[str, list[str]]) -> str:
    kind = data_source.removeprefix(DATA_SOURCE_PREFIX)
    if kind in ScenarioKind._value2member_map_:
        return kind
    # Not one of the four kinds: the structure is unknown; count sub-answers for the closest label.
    return ScenarioKind.SINGLE_HOP.value if sum(map(len, expected.values())) <= 1 else ScenarioKind.MULTI_HOP.value


def derived_id(content_hash: str, messages_json: str) -> str:
    """The id of a record that has none: from the task's content and exact messages, so it survives a re-save."""
    return ID_PREFIX + hashlib.sha256(f"{content_hash}\n{messages_json}".encode()).hexdigest()[:12]


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def task_from_ftrl(record: Any, *, path: str | None = None, line: int | None = None) -> FtrlTask:
    """Convert one reference record (a dict) to an `FtrlTask`; errors name the file, line and column."""
    where = {"path": path, "line": line}
    if not isinstance(record, dict):
        raise TaskValidationError(f"expected a JSON object, got {type(record).__name__}", **where)
    if missing := sorted(REQUIRED_COLUMNS - record.keys()):
        raise TaskValidationError(f"missing column {missing[0]!r} of the FTRL format", field=missing[0], **where)
    messages = [_clean_message(m, i, where) for i, m in enumerate(_decoded(record, "messages", list, where))]
    tools = _decoded(record, "tools", list, where)
    codes = _decoded(record, "codes", dict, where)
    unsolved = _decoded(record, "unsolved_set", dict, where)
    question = parse_question(messages)
    if question is None:
        raise TaskValidationError("no user message to read the question from", field="messages", **where)
    data_source = str(record.get("data_source") or "")
    labels = {} if record.get(TOOLGYM_COLUMN) is None else _decoded(record, TOOLGYM_COLUMN, dict, where)
    extra = {k: v for k, v in record.items() if k not in FTRL_COLUMNS and k != TOOLGYM_COLUMN}
    for column, value in extra.items():  # kept for a lossless save, which JSON must be able to hold
        try:
            _canonical(value)
        except (TypeError, ValueError, RecursionError):
            raise TaskValidationError(f"an extra column must hold JSON values, got {type(value).__name__}",
                                      field=str(column), **where) from None
    prefix = []
    for message in messages:  # Task's own messages: the plain leading ones (a state's tool turns stay in `ftrl`)
        if not _is_task_message(message):
            break
        prefix.append(message)
    fields = {"id": labels.get("id") or "pending", "question": question,
              "messages": prefix or [{"role": "user", "content": question}], "tools": tools, "code": codes,
              "expected": unsolved, "answer": _answer(record["answer"], where),
              "scenario": _scenario(data_source, unsolved), "split": str(record.get("split") or "train"),
              "provenance": labels.get("provenance") or Provenance(generator="ftrl", source=data_source or None),
              **{k: labels[k] for k in ("domain", "level", "gold_plan") if k in labels}}
    try:
        task = FtrlTask.model_validate(fields)
    except ValidationError as e:
        first = e.errors()[0]
        loc = [str(p) for p in first["loc"]]
        column = ".".join([_COLUMN_OF_FIELD.get(loc[0], loc[0]), *loc[1:]]) if loc else next(
            (c for words, c in _COLUMN_OF_PROBLEM.items() if words in first["msg"]), None)
        raise TaskValidationError(first["msg"], field=column, **where) from None
    kept = FtrlRecord(messages=_canonical(messages), solve_rate=_solve_rate(record, where),
                      data_source=data_source, extra=_canonical(extra))
    if "id" not in labels:
        task = task.model_copy(update={"id": derived_id(task.content_hash, kept.messages)})
    task._ftrl = kept
    return task


def _answer(value: Any, where: dict[str, Any]) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a numeric answer column (pandas may infer one); the reference compares text
    if not isinstance(value, str):
        raise TaskValidationError(f"expected a string, got {type(value).__name__}", field="answer", **where)
    return value


def _solve_rate(record: dict[str, Any], where: dict[str, Any]) -> float:
    value = record.get("solve_rate", 0.0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TaskValidationError(f"expected a number, got {type(value).__name__}", field="solve_rate", **where)
    return float(value)


# --- writing ----------------------------------------------------------------------------------------------------

def ftrl_from_task(task: Task) -> dict[str, Any]:
    """The reference record of `task`: `messages` native, `tools`/`codes`/`unsolved_set` as JSON strings.

    An `FtrlTask` is written back exactly as it was read. Another task gets solve_rate 0.0, data_source
    `self/<scenario>` (or its provenance source), and a `toolgym` column keeping its id, domain, level, gold plan
    and provenance, which the reference ignores and toolgym reads back.
    """
    kept = task.ftrl if isinstance(task, FtrlTask) else None
    record: dict[str, Any] = {
        "messages": json.loads(kept.messages) if kept else task.opening_messages(),
        "tools": json.dumps(task.openai_tools(), ensure_ascii=False),
        "codes": json.dumps(task.code, ensure_ascii=False),
        "unsolved_set": json.dumps({k: list(v) for k, v in task.expected.items()}, ensure_ascii=False),
        "answer": task.answer,
        "solve_rate": kept.solve_rate if kept else 0.0,
        "data_source": kept.data_source if kept else (task.provenance.source
                                                      or DATA_SOURCE_PREFIX + task.scenario.value),
        "split": task.split,
    }
    if kept:
        record.update(json.loads(kept.extra))
    labels = _labels(task)
    if not kept or labels != _default_labels(task, kept):
        record[TOOLGYM_COLUMN] = json.dumps(labels, ensure_ascii=False)
    return record


_LABELS = {"id", "domain", "level", "gold_plan", "provenance"}


def _labels(task: Task) -> dict[str, Any]:
    return task.model_dump(mode="json", include=_LABELS)


def _default_labels(task: Task, kept: FtrlRecord) -> dict[str, Any]:
    """The labels a reference record without a `toolgym` column is read with."""
    plain = task.model_copy(update={"id": derived_id(task.content_hash, kept.messages), "domain": "general",
                                    "level": None, "gold_plan": None,
                                    "provenance": Provenance(generator="ftrl", source=kept.data_source or None)})
    return _labels(plain)


def messages_are_plain(records: list[dict[str, Any]]) -> bool:
    """Whether every message of every record is a plain {role, content: str} (a Parquet struct needs no nulls)."""
    return all(isinstance(m, dict) and m.keys() == _MESSAGE_KEYS and isinstance(m["content"], str)
               for r in records for m in r["messages"])


def assert_ftrl_columns(names: list[str], path: str) -> None:
    """Raise `TaskValidationError` when a table lacks a required column of the reference format."""
    if missing := sorted(REQUIRED_COLUMNS - set(names)):
        raise TaskValidationError(f"not the FTRL format: missing column {missing[0]!r}", path=path,
                                  field=missing[0])

"""Build small tasks by hand for the execution tests: only tools, code and schemas matter here."""

from __future__ import annotations

from typing import Any

from toolgym.models.task import Task

OPEN_OBJECT: dict[str, Any] = {"type": "object"}


def make_task(code: dict[str, str], schemas: dict[str, dict[str, Any]] | None = None, task_id: str = "t") -> Task:
    """A single-hop task whose tools are `code`'s keys; a tool without a schema accepts any object."""
    schemas = schemas or {}
    first = next(iter(code))
    return Task(id=task_id, question="q?", messages=[{"role": "user", "content": "q?"}],
                tools=[{"function": {"name": name, "parameters": schemas.get(name, OPEN_OBJECT)}} for name in code],
                code=code, expected={first: ["x"]}, answer="x", scenario="single_hop")

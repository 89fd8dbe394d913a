"""Data models: the `Task` record and its parts, and reading/writing task files."""

from toolgym.models.io import load_tasks, save_tasks
from toolgym.models.task import (DEFAULT_INSTRUCTION, FunctionSpec, GoldCall, Message, Provenance, ScenarioKind,
                                 Task, ToolSpec, opening_messages)

__all__ = ["DEFAULT_INSTRUCTION", "FunctionSpec", "GoldCall", "Message", "Provenance", "ScenarioKind", "Task",
           "ToolSpec", "load_tasks", "opening_messages", "save_tasks"]

"""Registering task sets as Gymnasium ids in the `ToolEnv/` namespace.

Gymnasium's own registry holds them, so `gym.make`, `gym.make_vec`, `gym.pprint_registry` and the "did you mean"
hint for a misspelt id all work as for any other environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import gymnasium as gym

from toolgym.errors import ToolgymError
from toolgym.models.task import Task

NAMESPACE = "ToolEnv"
ENTRY_POINT = "toolgym.envs.tool_env:ToolEnv"
_NAME = re.compile(r"^[\w.-]+$")


def register_tasks(name: str, tasks: Sequence[Task] | Any | str | os.PathLike[str], *, override: bool = False,
                   **env_kwargs: Any) -> str:
    """Register `tasks` (a list, an indexable stream, or a task file path) as `ToolEnv/<name>`; return the id.

    Keyword arguments go to `ToolEnv` (reward, parser, max_turns, ...) and can be overridden in `gym.make`.
    A path is stored as a path and loaded when the env is made, so vector envs in subprocesses load it themselves.

    >>> import gymnasium as gym, toolgym
    >>> env_id = register_tasks("my-set", "tasks.jsonl", reward="ftrl")   # doctest: +SKIP
    >>> env = gym.make(env_id)                                          # doctest: +SKIP
    """
    short = name.removeprefix(f"{NAMESPACE}/")
    if not _NAME.match(short) or re.search(r"-v\d+$", short):
        raise ToolgymError(f"invalid env name {name!r}: use letters, digits, '_', '.', '-' (no '-vN' suffix)")
    env_id = f"{NAMESPACE}/{short}"
    if env_id in gym.registry and not override:
        raise ToolgymError(f"{env_id} is already registered; pass override=True to replace it")
    if isinstance(tasks, os.PathLike):
        tasks = os.fspath(tasks)
    gym.register(id=env_id, entry_point=ENTRY_POINT, kwargs={"tasks": tasks, **env_kwargs})
    return env_id

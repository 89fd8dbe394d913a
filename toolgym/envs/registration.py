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

from toolgym.envs import checks
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


BUILTIN_ENTRY_POINT = "toolgym.envs.registration:make_builtin_env"
LEVELS = (1, 2, 3, 4, 5)


def make_builtin_env(domain: str, level: int, *, split: str = "train", seed: int | None = None,
                     **env_kwargs: Any):
    """The env behind `ToolEnv/<domain>-L<level>`.

    `split="train"`: the infinite generated stream (`reset(seed=s)` plays task `s`; `seed` picks the stream,
    default 0). `split="test"`: the fixed evaluation set shipped in the catalog (disjoint from the train stream):
    `TASKS_PER_SET` tasks, one stream only, so `seed` is refused; `reset(seed=s)` plays task `s` modulo the set's
    size and `info["task_index"]` says which.
    """
    from toolgym.envs.tool_env import ToolEnv

    stream_seed = checks.seed(seed)
    if split == "train":
        from toolgym.generation import TaskStream
        return ToolEnv(TaskStream(domain, level, seed=stream_seed or 0), **env_kwargs)
    if split == "test":
        from toolgym.catalog import TASKS_PER_SET, test_tasks
        if stream_seed is not None:
            raise ToolgymError(f"seed picks a train stream; the test split is one fixed set of {TASKS_PER_SET} tasks: "
                               f"drop seed=, and play task i with reset(options={{'task_index': i}})")
        return ToolEnv(test_tasks(domain, level), **env_kwargs)
    raise ToolgymError(f"split must be 'train' or 'test', got {split!r}")


def register_builtin() -> list[str]:
    """Register `ToolEnv/<domain>-L<level>` for every generator domain and level; return the ids."""
    from toolgym.generation.domains import domain_names

    ids = []
    for domain in domain_names():
        for level in LEVELS:
            env_id = f"{NAMESPACE}/{domain}-L{level}"
            if env_id not in gym.registry:
                gym.register(id=env_id, entry_point=BUILTIN_ENTRY_POINT, kwargs={"domain": domain, "level": level})
            ids.append(env_id)
    return ids

"""Checks of the arguments a caller gives `ToolEnv` (at construction) and `reset`: a wrong value fails at once,
in one line that names the argument, instead of late, deep inside an episode.

>>> positive_int("max_turns", 0)
Traceback (most recent call last):
...
toolgym.errors.ToolgymError: max_turns must be an integer >= 1, got 0
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from typing import Any

from toolgym.errors import ToolgymError

MAX_SEED = 2**63 - 1  # what numpy and every task index accept; a larger "seed" is a mistake, not a stream


def _integer(value: object) -> int | None:
    """`value` as a Python int when it is an integer (numpy's included) and not a bool, else None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def positive_int(name: str, value: object) -> int:
    """`value` as an int >= 1, or a `ToolgymError` naming `name`."""
    number = _integer(value)
    if number is None or number < 1:
        raise ToolgymError(f"{name} must be an integer >= 1, got {value!r}")
    return number


def timeout_seconds(value: object) -> float | None:
    """A tool-call timeout: None (no limit) or a positive, finite number of seconds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value < math.inf):
        raise ToolgymError(f"timeout must be a positive number of seconds or None, got {value!r}")
    return float(value)


def executor_factory(value: object) -> Any:
    """An executor factory: None or a callable `(task) -> Executor`."""
    if value is not None and not callable(value):
        raise ToolgymError(f"executor must be a callable (task) -> Executor, or None, got {type(value).__name__}")
    return value


def seed(value: object) -> int | None:
    """A reset or construction seed: None or an integer in [0, 2**63) (numpy's included, bool excluded)."""
    if value is None:
        return None
    number = _integer(value)
    if number is None or not 0 <= number <= MAX_SEED:
        raise ToolgymError(f"seed must be an integer in [0, 2**63) or None, got {_short(value)}")
    return number


def options(value: object) -> Mapping[str, Any]:
    """Reset options: None or a mapping."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ToolgymError(f"options must be a dict such as {{'task_index': 0}} or None, got {type(value).__name__}")
    return value


def task_index(value: object, num_tasks: int | None) -> int:
    """`options["task_index"]`: an integer in [0, num_tasks) (any non-negative one for an infinite stream)."""
    number = _integer(value)
    if number is None or number < 0 or (num_tasks is not None and number >= num_tasks):
        bound = f"[0, {num_tasks})" if num_tasks is not None else ">= 0"
        raise ToolgymError(f"options['task_index'] must be an int in {bound}, got {_short(value)}")
    return number


def _short(value: object) -> str:
    """A repr that stays one short line, even for a 5,000-digit integer."""
    try:
        text = repr(value)
    except ValueError:  # an int over Python's int-string limit
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"  # type: ignore[union-attr]
    return text if len(text) <= 60 else text[:57] + "..."

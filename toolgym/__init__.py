"""toolgym: Gymnasium environments for reinforcement learning on LLM tool use.

>>> import gymnasium as gym, toolgym
>>> tasks = toolgym.load_tasks("tasks.jsonl")            # doctest: +SKIP
>>> env = toolgym.ToolEnv(tasks, reward="default")       # doctest: +SKIP

Importing toolgym is cheap: it never imports torch, transformers or openai (optional extras, imported lazily).
"""

from toolgym.envs import BatchedVectorEnv, ToolEnv, make_batched, register_tasks
from toolgym.envs.registration import register_builtin
from toolgym.errors import MissingDependencyError, TaskValidationError, ToolgymError, UnknownNameError
from toolgym.models import GoldCall, Message, Provenance, ScenarioKind, Task, ToolSpec, load_tasks, save_tasks

__version__ = "0.1.0"

BUILTIN_IDS = tuple(register_builtin())  # ToolEnv/<domain>-L<level>; cheap: entry points are strings

__all__ = ["BUILTIN_IDS", "BatchedVectorEnv", "GoldCall", "Message", "MissingDependencyError", "Provenance",
           "ScenarioKind", "Task",
           "TaskValidationError", "ToolEnv", "ToolSpec", "ToolgymError", "UnknownNameError", "__version__",
           "load_tasks", "make_batched", "register_tasks", "save_tasks"]

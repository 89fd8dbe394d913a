"""Building tool-use tasks automatically: the FTRL paper's five-stage pipeline.

    decompose -> document -> integrate -> scale -> deploy

Each stage is a pure function from one frozen model to the next (`models.py`), delegating to a `Backend`
(`backend.py`; the offline `procedural` backend is the default) and checking its output (`stages/`). A task is a
pure function of (domain, level, split, seed, index): randomness comes from a stable hash of those (`context.py`),
never from global state, and an attempt that leaks an answer or fails its gold replay (every attempt of a backend
that is not correct by construction, an audited sample of the procedural backend's: see `stages/deploy.py`) is
retried with a derived sub-seed. Domains are data (`domains/`), levels one table (`levels.py`), and
`measure_task` reads a task's structure back so tests can hold the generator to the table.

>>> from toolgym.generation import TaskStream, generate_task
>>> task = generate_task("travel", 3, 0)
>>> task.scenario.value, task.level, task.provenance.generator
('multi_hop', 3, 'procedural')
>>> TaskStream("travel", 3)[0].content_hash == task.content_hash
True
"""

from toolgym.generation.backend import Backend
from toolgym.generation.checks import leak_problems, replay_problems, structure_problems
from toolgym.generation.domains import domain_names, get_domain
from toolgym.generation.levels import LEVELS, LevelConfig, format_level_table, level_config, level_table
from toolgym.generation.measure import TaskMeasure, measure_task
from toolgym.generation.pipeline import (GenerationTrace, TaskStream, generate_task, generate_tasks,
                                         trace_task)
from toolgym.generation.stages.errors import GenerationError, GenerationRejected
from toolgym.generation.version import GENERATOR_VERSION

__all__ = ["Backend", "GENERATOR_VERSION", "GenerationError", "GenerationRejected", "GenerationTrace", "LEVELS",
           "LevelConfig", "TaskMeasure", "TaskStream", "domain_names", "format_level_table", "generate_task", "generate_tasks",
           "get_domain", "leak_problems", "level_config", "level_table", "measure_task", "replay_problems",
           "structure_problems", "trace_task"]

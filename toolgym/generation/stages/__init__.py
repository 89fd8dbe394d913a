"""The five stages, each `input model -> output model`, delegating to a backend and checking its output.

The checks here hold for every backend: a stage output that breaks them raises `GenerationRejected`, and the
pipeline retries the task with a derived sub-seed. Stage 5 (`deploy`) also assembles the `Task`, asserts that no
answer leaks into the question or tool documents, and replays the gold plan.
"""

from toolgym.generation.stages.decompose import decompose
from toolgym.generation.stages.deploy import deploy
from toolgym.generation.stages.document import document
from toolgym.generation.stages.integrate import integrate
from toolgym.generation.stages.scale import scale

__all__ = ["decompose", "deploy", "document", "integrate", "scale"]

"""Stage 4: complexity scaling (Toolset -> ScaledToolset)."""

from __future__ import annotations

from toolgym.generation.backend import Backend
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import ScaledToolset, Toolset
from toolgym.generation.stages.errors import GenerationRejected


def scale(toolset: Toolset, ctx: GenerationContext, backend: Backend) -> ScaledToolset:
    """More parameters and types, distractors, shuffled order; needed tools keep their names and duties."""
    scaled = backend.scale(toolset, ctx)
    needed = [t.name for t in scaled.tools]
    if needed != [t.name for t in toolset.tools] or scaled.assignment != toolset.assignment:
        raise GenerationRejected("scaling renamed a needed tool or changed which tool serves what")
    names = needed + [d.name for d in scaled.distractors]
    if len(set(names)) != len(names) or sorted(scaled.order) != sorted(names):
        raise GenerationRejected("tool names clash, or the order does not list each tool once")
    return scaled

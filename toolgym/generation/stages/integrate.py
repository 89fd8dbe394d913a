"""Stage 3: function integration (Documents -> Toolset)."""

from __future__ import annotations

from toolgym.generation.backend import Backend
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import Documents, Toolset
from toolgym.generation.stages.errors import GenerationRejected


def integrate(documents: Documents, ctx: GenerationContext, backend: Backend) -> Toolset:
    """Merge documents with overlapping functionality; every sub-question keeps exactly one tool."""
    toolset = backend.integrate(documents, ctx)
    names = [t.name for t in toolset.tools]
    if len(set(names)) != len(names):
        raise GenerationRejected(f"duplicate tool names after integration: {names}")
    served = {d for doc in documents.documents for d in doc.serves}
    if set(toolset.assignment) != served or not set(toolset.assignment.values()) <= set(names):
        raise GenerationRejected("the assignment does not map every sub-question to a tool of the toolset")
    return toolset

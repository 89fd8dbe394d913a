"""Running the procedural backend stage by stage, for the per-stage tests."""

from toolgym.generation.backends.procedural import ProceduralBackend
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import GenerationRequest


def stage_outputs(domain: str, level: int, index: int = 0):
    """(ctx, scenario, documents, toolset, scaled) of one attempt, stage by stage."""
    backend = ProceduralBackend()
    ctx = GenerationContext(domain=domain, level=level, index=index)
    scenario = backend.decompose(GenerationRequest(domain=domain, level=level), ctx)
    documents = backend.document(scenario, ctx)
    toolset = backend.integrate(documents, ctx)
    return ctx, scenario, documents, toolset, backend.scale(toolset, ctx)

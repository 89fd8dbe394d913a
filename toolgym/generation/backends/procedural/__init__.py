"""The procedural backend: offline, deterministic, fictional but consistent worlds.

Each stage lives in its own module and draws randomness only from the context's per-stage generator, so a task
is a pure function of (domain, level, split, seed, index, attempt).
"""

from __future__ import annotations

from toolgym.generation.backends.procedural import codegen, decompose, document, integrate, scale
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import (Deployment, Documents, GenerationRequest, Scenario, ScaledToolset,
                                       Toolset)


class ProceduralBackend:
    """The default backend (see the package docstring)."""

    name = "procedural"
    # Tool code is written from the records that hold the answers, so the gold plan replays by construction: the
    # pipeline replays an audited sample of attempts only (see stages/deploy.py)
    correct_by_construction = True

    def decompose(self, request: GenerationRequest, ctx: GenerationContext) -> Scenario:
        """Stage 1: structure, world and question."""
        return decompose.decompose(request, ctx)

    def document(self, scenario: Scenario, ctx: GenerationContext) -> Documents:
        """Stage 2: one document per sub-question."""
        return document.document(scenario, ctx)

    def integrate(self, documents: Documents, ctx: GenerationContext) -> Toolset:
        """Stage 3: merge overlapping documents."""
        return integrate.integrate(documents, ctx)

    def scale(self, toolset: Toolset, ctx: GenerationContext) -> ScaledToolset:
        """Stage 4: parameters, types, distractors, order."""
        return scale.scale(toolset, ctx)

    def deploy(self, scaled: ScaledToolset, ctx: GenerationContext) -> Deployment:
        """Stage 5: tool sources."""
        return codegen.deploy(scaled, ctx)


__all__ = ["ProceduralBackend"]

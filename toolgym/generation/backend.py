"""The backend interface: one method per pipeline stage.

A backend turns one stage's input model into its output model. The procedural backend (the default) invents
worlds from the context's random generators; an LLM backend will prompt a model per stage and parse the reply
into the same models. Stage functions in `toolgym.generation.stages` wrap these methods with the checks that hold
for every backend (shapes, answer leaks, gold replay), so a backend never has to be trusted.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from toolgym.generation.context import GenerationContext
from toolgym.generation.models import (Deployment, Documents, GenerationRequest, Scenario, ScaledToolset,
                                       Toolset)


@runtime_checkable
class Backend(Protocol):
    """Builds each stage's output from the previous one; must be deterministic given the context."""

    name: str  # written into each task's provenance ('procedural' tasks are checked by regenerating them)
    # Optional: a backend whose tasks' gold plans replay by construction may say `correct_by_construction = True`;
    # the pipeline then replays only an audited sample of its tasks (else every one).
    # Optional `trusted_code: bool` (default True): False when a model wrote the tool code, so stage 5 replays
    # the gold plan in the sandbox, never in-process.

    def decompose(self, request: GenerationRequest, ctx: GenerationContext) -> Scenario:
        """Stage 1: a question, its sub-questions and sub-answers, and the world they come from."""
        ...

    def document(self, scenario: Scenario, ctx: GenerationContext) -> Documents:
        """Stage 2: one tool document per sub-question."""
        ...

    def integrate(self, documents: Documents, ctx: GenerationContext) -> Toolset:
        """Stage 3: merge documents with overlapping functionality."""
        ...

    def scale(self, toolset: Toolset, ctx: GenerationContext) -> ScaledToolset:
        """Stage 4: more parameters, more types, distractors, shuffled order."""
        ...

    def deploy(self, scaled: ScaledToolset, ctx: GenerationContext) -> Deployment:
        """Stage 5: Python source for every tool."""
        ...

"""Stage 2: document generation (Scenario -> Documents)."""

from __future__ import annotations

from toolgym.generation.backend import Backend
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import FINAL_ID, Documents, Scenario
from toolgym.generation.stages.errors import GenerationRejected


def document(scenario: Scenario, ctx: GenerationContext, backend: Backend) -> Documents:
    """One tool document per sub-question (plus the aggregation's); each sub-question is served once."""
    documents = backend.document(scenario, ctx)
    served = [s for d in documents.documents for s in d.serves]
    wanted = [q.id for q in scenario.sub_questions] + ([FINAL_ID] if scenario.aggregation else [])
    if sorted(served) != sorted(wanted):
        raise GenerationRejected(f"documents serve {sorted(served)}, sub-questions are {sorted(wanted)}")
    return documents

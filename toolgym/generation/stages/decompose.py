"""Stage 1: scenario decomposition (request -> Scenario)."""

from __future__ import annotations

from toolgym.generation.backend import Backend
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import GenerationRequest, Scenario
from toolgym.generation.stages.errors import GenerationRejected
from toolgym.models.task import ScenarioKind

ANSWER_SEPARATOR = ", "  # matching splits expected answers on it, so no answer may contain it but a list's


def check_scenario(scenario: Scenario) -> None:
    """Dependencies point backwards, the aggregation exists exactly for parallel kinds, answers are matchable."""
    seen: set[str] = set()
    for question in scenario.sub_questions:
        if not set(question.depends_on) <= seen:
            raise GenerationRejected(f"sub-question {question.id} depends on a later or unknown one")
        seen.add(question.id)
    parallel = scenario.kind in (ScenarioKind.PARALLEL_SINGLE_HOP, ScenarioKind.PARALLEL_MULTI_HOP)
    if parallel != (scenario.aggregation is not None):
        raise GenerationRejected(f"{scenario.kind.value} {'needs' if parallel else 'takes no'} aggregation")
    # a list's answer is its items joined by the separator: matched item by item, in any order
    lists = {q.answer for q in scenario.sub_questions if q.role == "list"}
    answers = [q.answer for q in scenario.sub_questions] + [scenario.answer]
    if any(not a.strip() or any(not item.strip() for item in a.split(ANSWER_SEPARATOR))
           or (ANSWER_SEPARATOR in a and a not in lists) for a in answers):
        raise GenerationRejected("an answer is empty or contains ', ' (only a list's may)")


def decompose(request: GenerationRequest, ctx: GenerationContext, backend: Backend) -> Scenario:
    """Split a question into sub-questions with sub-answers, in the level's logical structure."""
    scenario = backend.decompose(request, ctx)
    check_scenario(scenario)
    return scenario

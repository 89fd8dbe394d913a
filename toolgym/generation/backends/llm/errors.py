"""How an LLM-driven generation fails: a rejected task (counted under a reason) or a run that cannot go on."""

from __future__ import annotations

from toolgym.errors import ToolgymError
from toolgym.generation.stages.errors import GenerationRejected


class LLMRejected(GenerationRejected):
    """One task attempt failed for a reason the manifest counts (`reason`, a short key); the run goes on."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class ServerFailed(LLMRejected):
    """The server kept failing one request after the client's retries (429, 5xx, a timeout): the task is
    rejected; several in a row end the run (see `run.MAX_CONSECUTIVE_SERVER_FAILURES`)."""


class LLMUnavailable(ToolgymError):
    """No request can succeed (server unreachable, key or model refused): the run stops, keeping what it made."""


def rejection_reason(error: GenerationRejected) -> str:
    """The manifest's key for a rejection: the LLM backend's own reason, or the stage check that refused."""
    if isinstance(error, LLMRejected):
        return error.reason
    text = str(error)
    if "leaks into" in text:
        return "answer_leak"
    if "gave " in text or "lacks the final answer" in text or "gold plan" in text:
        return "gold_replay"
    return "stage_check"

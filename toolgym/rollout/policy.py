"""The policy protocol: what the runner asks of anything that plays turns, and what a turn records.

A policy gets the episode's context (the conversation so far, the OpenAI tool list, the task, the turn) and
returns a `Turn`: the action for `env.step` plus what the model really produced (raw text, token ids), token
usage, latency and why it stopped. A failure that ends the episode (context overflow, server error, timeout)
is raised as `EpisodeStop` with a reason; the runner records it and goes on with the next episode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from toolgym.errors import ToolgymError
from toolgym.models.task import Task

# Why an episode ended (the trajectory's `stop_reason`).
ANSWERED = "answered"              # a turn without a tool call: the env judged the answer
MAX_TURNS = "max_turns"            # the env's turn budget ran out
EMPTY = "empty"                    # the model returned nothing (the env scored it as an empty turn)
REFUSAL = "refusal"                # the server reported a refusal (scored as the answer it gave)
CONTEXT_OVERFLOW = "context_overflow"
SERVER_ERROR = "server_error"      # 5xx or 429 after the bounded retries, or a malformed response
TIMEOUT = "timeout"                # no response within the request timeout, after the retries
STOP_REASONS = (ANSWERED, MAX_TURNS, EMPTY, REFUSAL, CONTEXT_OVERFLOW, SERVER_ERROR, TIMEOUT)


@dataclass(frozen=True)
class EpisodeContext:
    """What a policy sees before a turn. `messages` are in OpenAI form (see `toolgym.rollout.messages`)."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    task: Task
    turn: int
    seed: int  # the episode's own seed: a sampling policy draws from it, so a replay draws the same


@dataclass(frozen=True)
class Turn:
    """One assistant turn. `action` goes to `env.step` (raw text, or an assistant message with native
    `tool_calls`); `text` is the raw completion exactly as produced; `prompt_ids`/`completion_ids` are the
    token ids when the policy tokenized (the local policy), so a trainer never re-tokenizes."""

    action: Any
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    finish_reason: str | None = None
    refusal: bool = False
    prompt_ids: list[int] | None = field(default=None, repr=False)
    completion_ids: list[int] | None = field(default=None, repr=False)


class EpisodeStop(ToolgymError):
    """The policy cannot produce this turn: the episode ends with `reason` (one of `STOP_REASONS`)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class RunAborted(ToolgymError):
    """No episode can go on (the server is unreachable, the key is refused): the run stops, finished episodes
    are kept, and the unfinished ones are played again on resume."""


@runtime_checkable
class Policy(Protocol):
    """Plays assistant turns. `name` labels the trajectories; `act` may be called concurrently."""

    name: str

    async def act(self, context: EpisodeContext) -> Turn:
        """The next assistant turn; raises `EpisodeStop` to end the episode, `RunAborted` to end the run."""
        ...

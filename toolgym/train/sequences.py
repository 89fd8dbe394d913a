"""Training sequences: one per assistant turn, the prompt ids exactly as the policy saw them and the completion
ids exactly as sampled, with the advantage (or SFT weight) of its episode.

The loss sees only completion tokens: the prompt (system prompt, tools, question, earlier turns, tool results,
parse feedback) is context, masked out. The ids come from the rollout's `Turn`s, so the model's own text is
never re-tokenized (a re-tokenized completion can differ from what was sampled, and its log-probability is then
the probability of something the model never produced).

The SFT teacher is the oracle writing its gold calls as Hermes text (what the evaluation's parser reads), with
its prompt built by the same `LocalPolicy.prompt_ids` as evaluation, so SFT trains on exactly eval's prompts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolgym.errors import ToolgymError
from toolgym.parsing.hermes import CLOSE_TAG, OPEN_TAG
from toolgym.rollout.baselines import oracle_turn
from toolgym.rollout.local_policy import LocalPolicy
from toolgym.rollout.policy import EpisodeContext, Turn
from toolgym.rollout.runner import Trajectory


@dataclass(frozen=True)
class TrainSequence:
    """One assistant turn to learn from: loss on `completion_ids` only, weighted by `advantage`."""

    prompt_ids: tuple[int, ...]
    completion_ids: tuple[int, ...]
    advantage: float

    def __post_init__(self) -> None:
        if not self.prompt_ids or not self.completion_ids:
            raise ToolgymError("a training sequence needs a non-empty prompt and completion (a turn of a policy "
                               "that did not tokenize: use LocalPolicy or TeacherPolicy)")


def turn_sequences(trajectory: Trajectory, advantage: float) -> list[TrainSequence]:
    """Every turn of an episode as a sequence carrying the episode's advantage (see `advantages`)."""
    turns = trajectory["turns"]
    if any(t.get("completion_ids") is None for t in turns):
        raise ToolgymError(f"episode {trajectory['key']} has turns without token ids: play it with LocalPolicy")
    return [TrainSequence(tuple(t["prompt_ids"]), tuple(t["completion_ids"]), advantage)
            for t in turns if t["completion_ids"]]


def hermes_text(message: dict[str, Any]) -> str:
    """An assistant message (OpenAI form) as the Hermes text a model should write for it.

    >>> hermes_text({"role": "assistant", "content": "", "tool_calls": [{"id": "c", "type": "function",
    ...     "function": {"name": "f", "arguments": '{"x": 1}'}}]})
    '<tool_call>\\n{"name": "f", "arguments": {"x": 1}}\\n</tool_call>'
    """
    blocks = [f'{OPEN_TAG}\n{{"name": {json.dumps(c["function"]["name"])}, "arguments": '
              f'{c["function"]["arguments"]}}}\n{CLOSE_TAG}' for c in message.get("tool_calls") or ()]
    return "\n".join([*([message["content"]] if message.get("content") else []), *blocks])


class TeacherPolicy:
    """The oracle as a tokenizing policy: gold calls as Hermes text, answer as text, eos appended, prompt ids
    from the student's `LocalPolicy` (the evaluation's rendering). Its episodes are SFT data."""

    name = "teacher"

    def __init__(self, student: LocalPolicy) -> None:
        self.student = student

    async def act(self, context: EpisodeContext) -> Turn:
        text = hermes_text(oracle_turn(context).action)
        tokenizer = self.student.tokenizer
        completion = [*tokenizer(text, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]
        prompt = self.student.prompt_ids(context)
        return Turn(text, text, prompt_tokens=len(prompt), completion_tokens=len(completion),
                    finish_reason="stop", prompt_ids=prompt, completion_ids=completion)


def sft_sequences(trajectories: Sequence[Trajectory]) -> list[TrainSequence]:
    """Teacher episodes as SFT sequences (weight 1: plain next-token cross-entropy on the completion)."""
    return [s for t in trajectories for s in turn_sequences(t, 1.0)]

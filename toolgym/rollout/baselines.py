"""Two reference policies: the oracle (replays the gold plan: the ceiling) and a random policy that calls the
task's own tools with arguments drawn from their schemas (the floor a trained model must clear)."""

from __future__ import annotations

import random
import re
from typing import Any

from toolgym.errors import ToolgymError
from toolgym.models.calls import ToolCall, call_id
from toolgym.rollout.policy import EpisodeContext, Turn

RANDOM_CALL_TURNS = 3  # the random policy's calling turns before it answers
_WORD = re.compile(r"[A-Za-z][\w-]+")


class OraclePolicy:
    """Replays the gold plan turn by turn, then gives the final answer (tasks without a gold plan raise)."""

    name = "oracle"

    async def act(self, context: EpisodeContext) -> Turn:
        return oracle_turn(context)


def oracle_turn(context: EpisodeContext) -> Turn:
    plan = context.task.gold_plan
    if plan is None:
        raise ToolgymError(f"task {context.task.id!r} has no gold plan (imported data), so it has no oracle")
    if context.turn >= len(plan):
        return Turn({"role": "assistant", "content": context.task.answer}, context.task.answer)
    calls = [ToolCall.of(c.name, c.arguments).openai(call_id(context.turn, i))
             for i, c in enumerate(plan[context.turn])]
    message = {"role": "assistant", "content": "", "tool_calls": calls}
    return Turn(message, "")  # structured: no completion text


class RandomPolicy:
    """Calls one of the task's tools per turn with schema-shaped random arguments (strings are words of the
    question, so some calls hit), `RANDOM_CALL_TURNS` times, then answers with a word of the question. Draws
    only from the episode's seed and the turn: a replay makes the same calls."""

    name = "random"

    async def act(self, context: EpisodeContext) -> Turn:
        return random_turn(context)


def random_turn(context: EpisodeContext) -> Turn:
    rng = random.Random(f"{context.seed}/{context.task.id}/{context.turn}")
    words = _WORD.findall(context.task.question) or ["unknown"]
    if context.turn >= RANDOM_CALL_TURNS or not context.tools:
        answer = f"Final answer: {rng.choice(words)}"
        return Turn({"role": "assistant", "content": answer}, answer)
    function = rng.choice(context.tools)["function"]
    arguments = {name: random_value(schema, rng, words)
                 for name, schema in function.get("parameters", {}).get("properties", {}).items()}
    call = ToolCall.of(function["name"], arguments).openai(call_id(context.turn, 0))
    return Turn({"role": "assistant", "content": "", "tool_calls": [call]}, "")


def random_value(schema: dict[str, Any], rng: random.Random, words: list[str]) -> Any:
    """A value shaped by a JSON Schema node (enum, type), loosely: the env's validator judges it."""
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type", "string")
    kind = rng.choice(kind) if isinstance(kind, list) else kind
    if kind == "integer":
        return rng.randint(0, 100)
    if kind == "number":
        return round(rng.uniform(0, 100), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        return [random_value(schema.get("items", {}), rng, words)]
    if kind == "object":
        return {}
    return rng.choice(words)

"""Gymnasium spaces for chat environments.

Observations are conversations (lists of OpenAI-style message dicts) and actions are completions (raw text, an
assistant message dict, or a list of tool calls). Neither fits a Box or Text space, so both are custom spaces:
`contains` checks the shape and `sample` draws valid, small, seeded examples, which is what
`gymnasium.utils.env_checker.check_env` and vector envs need (vector envs batch custom spaces as tuples).
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

ROLES = frozenset({"system", "user", "assistant", "tool"})
_WORDS = ("the", "price", "of", "flight", "hotel", "is", "42", "answer", "call", "tool", "error", "Paris")


def _words(rng: np.random.Generator, n: int) -> str:
    return " ".join(_WORDS[i] for i in rng.integers(len(_WORDS), size=n))


class Conversation(gym.Space[list[dict[str, Any]]]):
    """A list of chat messages: dicts with a `role` in system/user/assistant/tool and a `content` string."""

    def __init__(self, seed: int | np.random.Generator | None = None) -> None:
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def sample(self, mask: Any = None, probability: Any = None) -> list[dict[str, Any]]:
        n = int(self.np_random.integers(1, 4))
        return [{"role": "user" if i % 2 == 0 else "assistant", "content": _words(self.np_random, 5)}
                for i in range(n)]

    def contains(self, x: Any) -> bool:
        return isinstance(x, list) and all(
            isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) for m in x)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Conversation)

    def __repr__(self) -> str:
        return "Conversation()"


class Completion(gym.Space[Any]):
    """An assistant turn: raw completion text, an assistant message dict, or a list of tool calls.

    `sample` draws plain text or an OpenAI-form assistant message calling one of `tool_names` (or a made-up
    tool) with random values for the tool's own parameters (`parameters`, name -> parameter names), so random
    rollouts exercise both the answer and the tool-call paths. `ToolEnv` points the space at the current task's
    tools at every reset (`use_tools`), so a random policy calls tools that exist.
    """

    def __init__(self, tool_names: Sequence[str] = (), seed: int | np.random.Generator | None = None,
                 parameters: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(shape=None, dtype=None, seed=seed)
        self.tool_names = tuple(tool_names) or ("lookup",)
        self.parameters = {name: tuple(names) for name, names in (parameters or {}).items()}

    def use_tools(self, parameters: Mapping[str, Sequence[str]]) -> None:
        """Sample calls of these tools (name -> parameter names) from now on; the RNG state is kept."""
        self.tool_names = tuple(parameters) or ("lookup",)
        self.parameters = {name: tuple(names) for name, names in parameters.items()}

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def sample(self, mask: Any = None, probability: Any = None) -> str | dict[str, Any]:
        rng = self.np_random
        if rng.random() < 0.3:
            return _words(rng, int(rng.integers(0, 8)))
        name = self.tool_names[int(rng.integers(len(self.tool_names)))]
        known = self.parameters.get(name)
        if known is None:  # a tool whose parameters are unknown: a made-up key
            known = ("".join(rng.choice(list(string.ascii_lowercase), size=int(rng.integers(1, 6)))),)
        args = {key: _words(rng, 1) for key in known if rng.random() < 0.7}
        call = {"id": f"call_{int(rng.integers(1 << 30))}", "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)}}
        return {"role": "assistant", "content": "", "tool_calls": [call]}

    def contains(self, x: Any) -> bool:
        return isinstance(x, (str, list)) or (isinstance(x, dict) and x.get("role", "assistant") == "assistant")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Completion) and other.tool_names == self.tool_names

    def __repr__(self) -> str:
        return f"Completion(tool_names={self.tool_names!r})"

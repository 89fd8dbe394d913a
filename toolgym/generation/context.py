"""Where a task's randomness comes from: a stable hash of everything that names the task.

`random.Random` seeded from blake2b of (domain, level, split, seed, index, attempt, stage): the same inputs give
the same numbers in every process and Python version (no `hash()` salting, no global state), and train and test
draw from disjoint keys because the split is part of the key.
"""

from __future__ import annotations

import hashlib
import random
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

_KEY_BYTES = 8  # 64-bit seeds: collisions between distinct keys are negligible at any realistic scale


def stable_seed(*parts: object) -> int:
    """A 64-bit integer from the text of `parts`, equal in every process (unlike `hash`)."""
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=_KEY_BYTES).digest(), "big")


# a task asks for the same few keys many times (a kind's surface once per tool document, ~18 times at L1): the
# hash of each is remembered for the tasks in flight. `typed`: True and 1 print differently, so key differently.
@lru_cache(maxsize=1024, typed=True)
def _context_key(domain: str, level: int, split: str, seed: int, index: int, attempt: int, stage: str) -> int:
    return stable_seed(domain, level, split, seed, index, attempt, stage)


class GenerationContext(BaseModel):
    """Names one generation attempt; every stage draws its randomness from `rng(stage)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    domain: str = Field(description="Domain name.")
    level: int = Field(ge=1, le=5, description="Difficulty level.")
    split: str = Field(default="train", description="Split; part of the key so splits never share tasks.")
    seed: int = Field(default=0, description="Seed of the run.")
    index: int = Field(default=0, ge=0, description="Index of the task in its stream.")
    attempt: int = Field(default=0, ge=0, description="Retry number after a rejected attempt.")

    def key(self, stage: str) -> int:
        """A 64-bit integer derived from this context and `stage`."""
        return _context_key(self.domain, self.level, self.split, self.seed, self.index, self.attempt, stage)

    def rng(self, stage: str) -> random.Random:
        """A fresh generator for `stage`, independent of every other stage and attempt."""
        return random.Random(self.key(stage))

    def retry(self) -> GenerationContext:
        """The context of the next attempt (a derived sub-seed)."""
        return self.model_copy(update={"attempt": self.attempt + 1})

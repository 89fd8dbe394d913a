"""`--mode states`: the paper's single-turn training on per-turn states.

A state is a task replayed by its oracle for `turn` turns: the conversation prefix (question, the gold calls so
far and their results) with the sub-answers still pending in the env's verifier. The model writes one turn from
it; the env, replayed to the same state, scores that turn with its verifier (the turn reward). G samples of one
state form a group. Built here on `ToolEnv` and its oracle, so it needs nothing beyond the envs.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from toolgym.rollout.policy import EpisodeContext, Policy, Turn


@dataclass(frozen=True)
class State:
    """Task `index` of `source` after `turn` oracle turns (`turn == len(gold plan)`: only the answer is left)."""

    source: str
    index: int
    turn: int


def replay(env: gym.Env, state: State) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Put `env` into `state`; return its observation and its reset info (with the tool list)."""
    obs, info = env.reset(seed=state.index, options={"task_index": state.index})
    for action in env.unwrapped.oracle_actions()[: state.turn]:
        obs, *_ = env.step(action)
    return obs, info


def draw_state(env: gym.Env, source: str, index: int, rng: random.Random) -> State:
    """A state of task `index` at a turn drawn uniformly from its gold plan's turns and the answer turn."""
    env.reset(seed=index, options={"task_index": index})
    return State(source, index, rng.randrange(len(env.unwrapped.oracle_actions())))


@dataclass(frozen=True)
class ScoredTurn:
    state: State
    turn: Turn
    reward: float
    solved: int           # sub-answers this turn solved
    answer_correct: bool  # the turn answered, correctly


async def sample_states(policy: Policy, envs: dict[str, gym.Env], states: list[State], samples: int,
                        seed: int) -> list[list[ScoredTurn]]:
    """`samples` turns of `policy` from every state (concurrently, so a batching policy batches them), each
    scored by the env replayed to its state. One list per state."""
    contexts = []
    for state in states:
        obs, info = replay(envs[state.source], state)
        contexts.append(EpisodeContext(obs, info["tools"], envs[state.source].unwrapped.task, state.turn, seed))
    turns = await asyncio.gather(*(policy.act(c) for c in contexts for _ in range(samples)))
    return [[_score(envs[state.source], state, turns[i * samples + j]) for j in range(samples)]
            for i, state in enumerate(states)]


def _score(env: gym.Env, state: State, turn: Turn) -> ScoredTurn:
    replay(env, state)
    _, reward, terminated, _, info = env.step(turn.action)
    return ScoredTurn(state, turn, float(reward), sum(s is not None for s in info["solved"]),
                      bool(terminated and info["answer_correct"]))

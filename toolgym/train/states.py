"""`--mode states`: the paper's single-turn training on per-turn states, sampled and scored.

The states themselves come from `toolgym.envs.state_env` (one implementation for training and export): a state
is a task's conversation prefix after t oracle turns with the sub-answers still pending, an `FtrlTask` in the
reference's record shape. Here t is drawn uniformly over the gold plan's turns and the answer turn, the model
writes G turns from the state, and `state_env.single_turn_env` scores each against the pending set (the turn
reward of the run's preset, normalised by the sub-answers pending at the state, as the paper's states are).

A state whose prompt does not fit the model's context (the policy raises `EpisodeStop`) is skipped and counted,
so one long prefix never fails the step.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

from toolgym.envs.state_env import oracle_states, single_turn_env
from toolgym.models.task import Task
from toolgym.rollout.policy import EpisodeContext, EpisodeStop, Policy, Turn


def draw_state(task: Task, rng: random.Random) -> Task:
    """A state of `task` at a turn drawn uniformly from its gold plan's turns and the answer turn."""
    states = oracle_states(task)
    return states[rng.randrange(len(states))]


@dataclass(frozen=True)
class ScoredTurn:
    turn: Turn
    reward: float
    solved: int           # sub-answers this turn solved
    answer_correct: bool  # the turn answered, correctly


@dataclass(frozen=True)
class SampledStates:
    groups: list[list[ScoredTurn]]  # `samples` scored turns per state that fitted
    skipped: int                    # states skipped: the policy could not write a turn from them


async def sample_states(policy: Policy, states: list[Task], samples: int, seed: int, reward: str) -> SampledStates:
    """`samples` turns of `policy` from every state (concurrently, so a batching policy batches them), each
    scored by a single-turn env over the states."""
    env = single_turn_env(states, reward=reward)
    try:
        contexts = [_context(env, i, seed) for i in range(len(states))]
        turns = await asyncio.gather(*(_act(policy, c) for c in contexts for _ in range(samples)))
        groups = [turns[i * samples:(i + 1) * samples] for i in range(len(states))]
        fitted = [(i, g) for i, g in enumerate(groups) if all(t is not None for t in g)]
        return SampledStates([[_score(env, i, t) for t in g] for i, g in fitted], len(states) - len(fitted))
    finally:
        env.close()


def _context(env: Any, index: int, seed: int) -> EpisodeContext:
    obs, info = env.reset(options={"task_index": index})
    turn = sum(m["role"] == "assistant" for m in obs)  # the oracle turns in the prefix
    return EpisodeContext(obs, info["tools"], env.task, turn, seed)


async def _act(policy: Policy, context: EpisodeContext) -> Turn | None:
    try:
        return await policy.act(context)
    except EpisodeStop:  # e.g. the prefix overflows the context: the state is skipped, not the step
        return None


def _score(env: Any, index: int, turn: Turn) -> ScoredTurn:
    env.reset(options={"task_index": index})
    _, reward, terminated, _, info = env.step(turn.action)
    return ScoredTurn(turn, float(reward), sum(s is not None for s in info["solved"]),
                      bool(terminated and info["answer_correct"]))

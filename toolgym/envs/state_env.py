"""The paper's training shape: per-turn states of trajectories, and a single-turn env that scores one turn of them.

FTRL trains on *states*, not whole episodes: a state is a conversation prefix (the opening messages plus the
turns played so far, tool results included) and the sub-answers still pending after it. The model writes one
turn; the turn is scored against the pending set (the `ftrl` preset: solve_f1 for a turn with calls, 1/(1+U) for a
correct answer). A state is an ordinary `FtrlTask` in the reference's record shape (`messages` holds the prefix,
`unsolved_set` the pending sub-answers), so `save_tasks(states, path, format="ftrl")` and `load_tasks` move them
through files, and a single-turn env over states is a `ToolEnv` with `max_turns=1`.

>>> import gymnasium as gym, toolgym
>>> env = gym.make("ToolEnv/travel-L3").unwrapped
>>> _ = env.reset(seed=0)
>>> states = oracle_states(env.task)
>>> scorer = StateScorer(states, trust_code=True)
>>> [scorer.score(i, a) for i, a in enumerate(env.oracle_actions())]   # doctest: +ELLIPSIS
[1.0, ...]
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from typing import Any

from toolgym.envs.tool_env import ToolEnv
from toolgym.errors import ToolgymError
from toolgym.models.ftrl import TOOLGYM_COLUMN, FtrlTask, ftrl_from_task, task_from_ftrl
from toolgym.models.task import Task
from toolgym.reward.tracker import Pending

STATE_ID_SEPARATOR = "@turn"  # a state's id: <task id>@turn<t>


def trajectory_states(task: Task, actions: Sequence[Any], *, reward: str = "ftrl",
                      trust_code: bool | None = None) -> list[FtrlTask]:
    """Play `actions` on `task` and return one state per turn: the conversation before that turn and the
    sub-answers still pending then. Stops early if the episode ends before the actions run out.

    The states keep the remaining gold plan when `actions` are the task's oracle (see `oracle_states`), else none.
    """
    env = ToolEnv([task], reward=reward, trust_code=trust_code)
    try:
        obs, _ = env.reset(options={"task_index": 0})
        pending = Pending.from_task(task)
        states = []
        for turn, action in enumerate(actions):
            states.append(state_task(task, obs, pending, turn))
            obs, _, terminated, truncated, info = env.step(action)
            pending = _after(pending, obs, info["solved"])
            if terminated or truncated:
                break
        return states
    finally:
        env.close()


def oracle_states(task: Task, *, trust_code: bool | None = None) -> list[FtrlTask]:
    """The states along `task`'s gold plan: one per gold turn, then the one where the answer is due.
    Each keeps the rest of the gold plan, so `ToolEnv(states).oracle_actions()` still works on them."""
    if task.gold_plan is None:
        raise ToolgymError(f"task {task.id!r} has no gold plan (imported data), so it has no oracle states; "
                           "use trajectory_states(task, actions) with actions of your own")
    env = ToolEnv([task], trust_code=trust_code)
    env.reset(options={"task_index": 0})
    actions = env.oracle_actions()
    env.close()
    states = trajectory_states(task, actions, reward="ftrl", trust_code=trust_code)
    return [_with_gold_rest(state, task.gold_plan[turn:]) for turn, state in enumerate(states)]


def _after(pending: Pending, obs: list[dict[str, Any]], solved: list[str | None]) -> Pending:
    """The pending set after a turn: each call's solved sub-answer removed under the call's tool name."""
    calls = _last_assistant(obs).get("tool_calls", [])
    for call, hit in zip(calls, solved):
        if hit is not None:
            pending, _ = pending.take(call["function"]["name"], hit, operator.eq)
    return pending


def _last_assistant(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return next(m for m in reversed(messages) if m["role"] == "assistant")


def state_task(task: Task, messages: list[dict[str, Any]], pending: Pending, turn: int) -> FtrlTask:
    """The state of `task` whose prefix is `messages` and whose pending sub-answers are `pending`."""
    return task_from_ftrl(state_record(task, messages, pending, turn))


def state_record(task: Task, messages: list[dict[str, Any]], pending: Pending, turn: int) -> dict[str, Any]:
    """A state in the reference's record shape (`messages`, `tools`, `codes`, `unsolved_set`, `answer`, ...).

    As the reference's sampler writes them (`Code/data_sample/data_sample.py`): structured assistant and tool
    messages, `solve_rate` = 1 - pending/U0. The `toolgym` column keeps the source task's labels, with the id
    `<task id>@turn<t>` and no gold plan.
    """
    record = ftrl_from_task(task)
    record["messages"] = messages
    record["unsolved_set"] = json.dumps({tool: list(answers) for tool, answers in pending.by_tool.items()},
                                        ensure_ascii=False)
    # the reference's sampler labels each state with the share of the task's sub-answers solved before it
    record["solve_rate"] = 1 - pending.remaining / task.num_expected if task.num_expected else 0.0
    labels = json.loads(record.get(TOOLGYM_COLUMN) or "{}")
    labels.update(id=f"{task.id}{STATE_ID_SEPARATOR}{turn}", gold_plan=None)
    if task.domain != "general" or task.level is not None:
        labels.update(domain=task.domain, level=task.level)
    record[TOOLGYM_COLUMN] = json.dumps(labels, ensure_ascii=False)
    return record


def _with_gold_rest(state: FtrlTask, rest: Any) -> FtrlTask:
    record = ftrl_from_task(state)
    labels = json.loads(record[TOOLGYM_COLUMN])
    labels["gold_plan"] = [[call.model_dump(mode="json") for call in turn] for turn in rest]
    record[TOOLGYM_COLUMN] = json.dumps(labels, ensure_ascii=False)
    return task_from_ftrl(record)


def single_turn_env(states: Sequence[Task], *, reward: str = "ftrl", **env_kwargs: Any) -> ToolEnv:
    """A `ToolEnv` that plays one turn from a state: `reset` shows the prefix, `step` scores the turn against
    the state's pending sub-answers, and the episode ends (terminated on an answer, else truncated)."""
    return ToolEnv(list(states), reward=reward, max_turns=1, **env_kwargs)


class StateScorer:
    """Scores one completion per state, as the paper's single-turn training does.

    `score(i, completion)` plays `completion` (raw text or a message dict) from state `i` and returns the turn's
    reward under `reward` (default `ftrl`, the reference's). Tool code runs as `ToolEnv` runs it: pass
    `trust_code=True` only for states of toolgym's own tasks.
    """

    def __init__(self, states: Sequence[Task], *, reward: str = "ftrl", trust_code: bool | None = None,
                 **env_kwargs: Any) -> None:
        self.states = list(states)
        self._env = single_turn_env(self.states, reward=reward, trust_code=trust_code, **env_kwargs)

    def score(self, index: int, completion: Any) -> float:
        """The reward of `completion` played from state `index`."""
        self._env.reset(options={"task_index": index})
        return self._env.step(completion)[1]

    def close(self) -> None:
        self._env.close()

"""Checks that a task is a sound environment, played through a real `ToolEnv`.

`check_task` replays the gold plan the way an agent meets it (parsing, execution and verification included),
checks that it solves every sub-answer with a correct final answer, and that answering at once scores nothing.
The record-level checks (each gold call's own sub-answer, answer leaks, level structure) are in
`toolgym.generation.checks`; `toolgym validate` runs both.
"""

from __future__ import annotations

from toolgym.envs.tool_env import ToolEnv
from toolgym.execution import ExecutorFactory
from toolgym.models.task import Task

PERFECT = {"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0}


def check_task(task: Task, *, executor: ExecutorFactory | None = None) -> list[str]:
    """Problems found with `task` (empty when sound). Never raises for a bad task."""
    problems: list[str] = []
    env = ToolEnv([task], executor=executor, max_turns=max(len(task.gold_plan or ()) + 1, 1))
    try:
        problems += _replay_problems(env, task)
        env.reset(seed=0)
        _, reward, _, _, info = env.step("I do not know.")
        if info["answer_correct"] or reward > 0:
            problems.append("answering without any tool call is rewarded")
    finally:
        env.close()
    return problems


def _replay_problems(env: ToolEnv, task: Task) -> list[str]:
    if task.gold_plan is None:
        return []
    env.reset(seed=0)
    info: dict = {}
    for action in env.oracle_actions():
        _, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            break
    problems = []
    if info.get("metrics") != PERFECT:
        problems.append(f"gold plan does not solve every sub-answer: metrics {info.get('metrics')}")
    if not info.get("answer_correct"):
        problems.append(f"gold plan's final answer {task.answer!r} is not judged correct")
    return problems

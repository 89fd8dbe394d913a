"""Checks that a task is a sound environment: the invariants every task and registered id must keep.

`check_task` replays the gold plan through a real `ToolEnv` (so parsing, execution and verification are the ones
an agent meets), checks that it solves every sub-answer and the final answer, that answering at once scores
nothing, and that no expected answer leaks into what the agent sees before calling a tool.
"""

from __future__ import annotations

import json

from toolgym.execution import ExecutorFactory
from toolgym.models.task import Task
from toolgym.reward.matching import strict_match

PERFECT = {"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0}


def leaked_answers(task: Task) -> list[str]:
    """Expected answers (final or sub-answers) that appear in the opening messages or the tool documents."""
    visible = "\n".join(m.content for m in task.messages) + "\n" + json.dumps(task.openai_tools(),
                                                                              ensure_ascii=False)
    answers = {task.answer, *(a for answers in task.expected.values() for a in answers)}
    return sorted(a for a in answers if strict_match(a, visible))


def check_task(task: Task, *, executor: ExecutorFactory | None = None) -> list[str]:
    """Problems found with `task` (empty when sound). Never raises for a bad task."""
    from toolgym.envs.tool_env import ToolEnv  # checker is imported by tool_env's users, not the reverse

    problems = [f"answer leaks into the question or tool documents: {a!r}" for a in leaked_answers(task)]
    env = ToolEnv([task], executor=executor, max_turns=max(len(task.gold_plan or ()) + 1, 1))
    try:
        problems += _replay_problems(env, task)
        env.reset(seed=0)
        _, reward, *_ , info = env.step("I do not know.")
        if info["answer_correct"] or reward > 0:
            problems.append("answering without any tool call is rewarded")
    finally:
        env.close()
    return problems


def _replay_problems(env, task: Task) -> list[str]:
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
        problems.append(f"gold plan does not solve every sub-answer: metrics {info.get('metrics')}, "
                        f"still pending {env.unwrapped._verifier.pending.remaining}")
    if not info.get("answer_correct"):
        problems.append(f"gold plan's final answer {task.answer!r} is not judged correct")
    return problems

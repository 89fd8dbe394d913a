"""Showing tasks to a person and letting them play an episode in the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any

import gymnasium as gym

from toolgym.errors import ToolgymError
from toolgym.models.task import Task

HELP = """Type one turn per line:
  tool_name(arg="value", n=3)          a call (several: separate with ';' or ',')
  {"name": "tool", "arguments": {...}} a call as JSON
  anything else                        your final answer (ends the episode)
  :help  :tools  :quit                 (an empty line, or a call that cannot be read, sends nothing)"""

TASK_FILE_SUFFIXES = (".jsonl", ".gz", ".parquet", ".json")
_LOOKS_LIKE_CALL = re.compile(r"\s*(?:[\w-]+\s*\(|\{|\[)")


def make_env(env_id: str, split: str | None, **kwargs: Any) -> gym.Env:
    """`gym.make` with a clear error for ids that are not toolgym's; a task file path opens a `ToolEnv` on its
    tasks (their code runs in the sandbox unless toolgym ships them)."""
    import toolgym  # noqa: F401  (registers the ids)

    if env_id.endswith(TASK_FILE_SUFFIXES) or Path(env_id).is_file():
        if split is not None:
            raise ToolgymError("--split applies to registered ids, not to a task file")
        from toolgym.envs.tool_env import ToolEnv
        return ToolEnv(env_id, **kwargs)
    if not env_id.startswith("ToolEnv/"):
        raise ToolgymError(f"{env_id!r} is not a toolgym id nor a task file; ids look like ToolEnv/travel-L3 "
                           "(see `toolgym list`)")
    if split is not None:
        kwargs["split"] = split
    try:
        return gym.make(env_id, disable_env_checker=True, **kwargs)
    except gym.error.Error as e:
        raise ToolgymError(str(e)) from None


def describe(task: Task) -> str:
    """A readable summary of a task: question, tools with their parameters, gold plan, answers."""
    lines = [f"{task.id}  [{task.scenario.value}, domain {task.domain}, level {task.level}, split {task.split}]",
             "", f"Question: {task.question}", "", f"Tools ({len(task.tools)}):"]
    for tool in task.tools:
        params = tool.function.parameters.get("properties", {})
        required = set(tool.function.parameters.get("required", ()))
        sig = ", ".join(f"{n}{'' if n in required else '?'}: {s.get('type', 'any')}" for n, s in params.items())
        lines.append(f"  {tool.name}({sig})  {tool.function.description}")
    if task.gold_plan is not None:
        lines += ["", "Gold plan:"]
        for turn, calls in enumerate(task.gold_plan, start=1):
            for call in calls:
                lines.append(f"  turn {turn}: {call.name}({json.dumps(call.arguments, ensure_ascii=False)})")
    expected = "; ".join(f"{tool}: {', '.join(answers)}" for tool, answers in task.expected.items())
    lines += ["", f"Expected sub-answers: {expected}", f"Final answer: {task.answer}"]
    return "\n".join(lines)


def _as_action(line: str) -> str | None:
    """Turn what a person typed into a completion the Hermes parser reads; None when it looks like a call but
    cannot be read (sent as an answer, a typo would end the episode)."""
    if line.startswith("{"):
        return f"<tool_call>{line}</tool_call>"
    from toolgym.parsing import get_parser

    pythonic = get_parser("pythonic").parse(f"[{_semicolons_to_commas(line)}]")
    if pythonic.calls and not pythonic.issues:
        return "\n".join(f'<tool_call>{{"name": {json.dumps(c.name)}, "arguments": {c.arguments}}}</tool_call>'
                         for c in pythonic.calls)
    return None if _LOOKS_LIKE_CALL.match(line) else line


def _semicolons_to_commas(line: str) -> str:
    """`line` with each `;` outside a string literal made a `,` (a `;` inside a string is kept).

    >>> _semicolons_to_commas('f(x="a;b"); g()')
    'f(x="a;b"), g()'
    """
    out, quote, escaped = [], None, False
    for char in line:
        if quote:
            escaped = char == "\\" and not escaped
            if char == quote and not escaped:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ";":
            char = ","
        out.append(char)
    return "".join(out)


def play(env: gym.Env, *, seed: int, stdin: IO[str], stdout: IO[str]) -> int:
    """Play one episode: print the question and tools, read turns, print tool results and rewards."""
    obs, info = env.reset(seed=seed)
    task = env.unwrapped.task
    print(f"Question: {task.question}\n\nTools: {', '.join(task.tool_names)}\n\n{HELP}\n", file=stdout)
    total, shown = 0.0, len(obs)
    for line in stdin:
        line = line.strip()
        if line in (":quit", ":q"):
            break
        if line in (":help", ":tools"):
            print(HELP if line == ":help" else describe(task).split("\n\nGold plan")[0], file=stdout)
            continue
        action = _as_action(line) if line else None
        if action is None:
            print("(nothing sent: type a call such as tool(arg=\"value\") or your answer; :help)", file=stdout)
            continue
        obs, reward, terminated, truncated, info = env.step(action)
        total += reward
        for message in obs[shown:]:
            if message["role"] != "assistant":
                print(f"[{message.get('name', message['role'])}] {message['content']}", file=stdout)
        shown = len(obs)
        print(f"reward {reward:+.3f}  metrics {info['metrics']}", file=stdout)
        if terminated or truncated:
            verdict = "correct" if info["answer_correct"] else f"not correct (expected {task.answer!r})"
            print(f"Episode over: answer {verdict}; return {total:.3f}", file=stdout)
            return 0
    return 0

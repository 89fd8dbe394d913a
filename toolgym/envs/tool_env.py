"""`ToolEnv`: one tool-use episode over a task, as a Gymnasium environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, SupportsIndex

import gymnasium as gym
import numpy as np
from gymnasium.error import ResetNeeded
from gymnasium.utils import seeding

from toolgym.catalog import is_trusted_hash
from toolgym.envs import checks
from toolgym.envs.spaces import Completion, Conversation
from toolgym.errors import ToolgymError
from toolgym.execution import DEFAULT_TIMEOUT_S, Executor, ExecutorFactory, SandboxExecutor, TrustedExecutor
from toolgym.execution.base import run_turn
from toolgym.execution.render import clipped
from toolgym.models.calls import ParsedTurn, ToolCall, call_id
from toolgym.models.io import load_tasks
from toolgym.models.memo import IdentityMemo
from toolgym.models.task import Task
from toolgym.parsing import MAX_CALLS_PER_TURN, Parser, get_parser, limit_calls, parse_action
from toolgym.reward import RewardPreset, Verifier, get_preset

DEFAULT_MAX_TURNS = 20  # the reference's episode budget
_TOOL_NAMES_IN_ACTION_SPACE = 256  # cap on the names the action space samples from


class TaskSource(Protocol):
    """Anything indexable by an integer that returns a `Task`: a list, or an infinite generated stream (no len)."""

    def __getitem__(self, index: SupportsIndex, /) -> Task: ...


class ToolEnv(gym.Env[list[dict[str, Any]], Any]):
    """A multi-turn tool-use episode: the agent calls tools until it answers the task's question.

    Observation: the conversation so far, a list of OpenAI-style message dicts (`role` system/user/assistant/tool,
    `content`; assistant turns carry `tool_calls`, tool messages `tool_call_id` and `name`). Read-only: a new list
    every step, but each message dict is made once and shared by the observations that follow it (copying the
    whole conversation every step cost time growing with its length). Mutating one changes what later
    observations of the episode show, never the episode itself (the env keeps its own record): copy a message
    before editing it (`toolgym.rollout.messages` converters return copies).

    Action: one assistant turn, as raw completion text (read by `parser`, by default the preset's: Hermes
    `<tool_call>` blocks for "default"), an assistant message dict (OpenAI `tool_calls` with JSON-string
    arguments, or HF with dict arguments), or a list of tool calls. The calls of a turn run in order; each result
    (or error) comes back as a tool message. A call that cannot be parsed is reported in a user message; it is
    never dropped silently and never raises. Except under `reward="ftrl"`, which reads text, runs calls and
    scores exactly as the FTRL reference does: unreadable calls dropped silently, no schema check. At most
    `max_calls_per_turn` calls (default 32; None: no cap, as in the reference) run per turn; the rest are
    reported as one parse issue, not run (and parse issues past the cap are summed up in one).

    Reward: the verifier's score of that turn under the `reward` preset (`"default"`, which cannot be gamed:
    the episode return is largest for a minimal correct solution; or `"ftrl"`, the reference's `solve_f1`).

    Terminated: the assistant answered without a tool call (the answer is judged: `info["answer_correct"]`).
    Truncated: `max_turns` turns were taken without an answer.

    Info: `task_id`, `turn`, `metrics` (solve_precision, solve_rate, solve_f1 so far), `answer_correct`, `tools`
    (the episode's OpenAI tool list to pass to a chat template or server; one list per task, shared by the infos of
    every episode of it: do not mutate it), per step `solved` (the sub-answer each call solved, or None) and
    `parse_issues`, at reset `task_index`.

    Tool code: tasks from toolgym's generated stream or its shipped catalog (trusted by content hash) run
    in-process; any other task's code runs in the isolated `SandboxExecutor`. `trust_code=True` forces in-process,
    `trust_code=False` the sandbox; trust is never read from a task file. `executor=` (a factory) overrides both
    (for `reward="ftrl"`, give it `ftrl=True`, e.g. `functools.partial(TrustedExecutor, ftrl=True)`).

    `reset(seed=s)` plays task `s` (modulo the number of tasks; any `s` for an infinite stream);
    `options={"task_index": i}` picks task `i`; with neither, a task is drawn from the env's seeded RNG.

    >>> env = ToolEnv(tasks)                                    # doctest: +SKIP
    >>> obs, info = env.reset(seed=0)                           # doctest: +SKIP
    >>> for action in env.unwrapped.oracle_actions():           # doctest: +SKIP
    ...     obs, reward, terminated, truncated, info = env.step(action)
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 1}

    def __init__(self, tasks: Sequence[Task] | TaskSource | str | os.PathLike[str], *,
                 reward: str | RewardPreset = "default", parser: str | Parser | None = None,
                 max_turns: int = DEFAULT_MAX_TURNS, executor: ExecutorFactory | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT_S, render_mode: str | None = None,
                 trust_code: bool | None = None, max_calls_per_turn: int | None = MAX_CALLS_PER_TURN) -> None:
        if trust_code not in (None, True, False):
            raise ToolgymError(f"trust_code must be True, False or None (automatic), got {trust_code!r}")
        self.trust_code = trust_code
        self._source_trusted = getattr(tasks, "trusted", False) is True  # read before a path becomes a list
        if isinstance(tasks, (str, os.PathLike)):
            tasks = load_tasks(tasks)
        self.tasks = tasks
        self.num_tasks = len(tasks) if hasattr(tasks, "__len__") else None
        if self.num_tasks == 0:
            raise ToolgymError("ToolEnv needs at least one task; got an empty task list")
        max_turns = checks.positive_int("max_turns", max_turns)
        if max_calls_per_turn is not None:
            max_calls_per_turn = checks.positive_int("max_calls_per_turn", max_calls_per_turn)
        timeout = checks.timeout_seconds(timeout)
        executor = checks.executor_factory(executor)
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ToolgymError(f"render_mode must be one of {self.metadata['render_modes']} or None, "
                               f"got {render_mode!r}")
        self.preset = get_preset(reward)
        if parser is None:  # the preset knows how its turns are read
            parser = self.preset.parser
        self.parser = get_parser(parser) if isinstance(parser, str) else parser
        self.max_turns = max_turns
        self.max_calls_per_turn = max_calls_per_turn
        self.timeout = timeout
        self.executor_factory = executor
        self.render_mode = render_mode
        self.observation_space = Conversation()
        self.action_space = Completion(self._known_tool_names())
        self.task: Task | None = None
        self._executor: Executor | None = None
        self._verifier: Verifier | None = None
        self._messages: list[dict[str, Any]] = []
        self._shown: list[dict[str, Any]] = []  # the observation's own copy of each message, made once
        self._tools: list[dict[str, Any]] = []
        self._seed: int | None = None  # the seed of reset, until np_random is first used (see np_random)
        self._ids: set[str] = set()
        self._turn = 0
        self._done = False

    def _known_tool_names(self) -> list[str]:
        if self.num_tasks is None:
            return []
        names = {name for i in range(min(self.num_tasks, 64)) for name in self.tasks[i].tool_names}
        return sorted(names)[:_TOOL_NAMES_IN_ACTION_SPACE]

    # -- episode -------------------------------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None,
              ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        seed = checks.seed(seed)
        options = checks.options(options)
        if seed is not None:  # gymnasium's Env.reset, deferred: see np_random
            self.__dict__["_np_random"], self._seed = None, seed
        index = self._task_index(seed, options)
        task = self.tasks[index]
        self._close_executor()  # one executor per episode: no tool state outlives its episode
        self._executor = self._make_executor(task)
        self.task = task
        self._verifier = Verifier(task, self.preset)
        self._messages = task.opening_messages()
        self._shown = [_copy_message(m) for m in self._messages]
        # ids already answered in the opening (a state of the paper's training shape) stay taken
        self._ids: set[str] = {c["id"] for m in self._messages for c in m.get("tool_calls", ()) if "id" in c}
        self._turn = 0
        self._done = False
        self._tools, parameters = _TASK_TOOLS.get(None, (task,), lambda: _tool_lists(task))
        self.action_space.use_tools(parameters)
        info = self._info()
        info["task_index"] = index
        return self._observation(), info

    # gymnasium's RNG, seeded by reset(seed=...) when first used: seeding costs ~10 µs, more than the rest of a
    # reset, and an episode played by seed never draws from it.

    @property
    def _np_random(self) -> np.random.Generator | None:
        rng = self.__dict__.get("_np_random")
        if rng is None and self._seed is not None:
            rng, self._np_random_seed = seeding.np_random(self._seed)
            self.__dict__["_np_random"], self._seed = rng, None
        return rng

    @_np_random.setter
    def _np_random(self, value: np.random.Generator | None) -> None:
        self.__dict__["_np_random"], self._seed = value, None

    @property
    def np_random_seed(self) -> int:
        if self._seed is not None:
            return self._seed
        return super().np_random_seed

    def _task_index(self, seed: int | None, options: Mapping[str, Any]) -> int:
        if "task_index" in options:
            return checks.task_index(options["task_index"], self.num_tasks)
        if seed is not None:
            return seed % self.num_tasks if self.num_tasks is not None else seed
        return int(self.np_random.integers(self.num_tasks if self.num_tasks is not None else 2**31))

    def _make_executor(self, task: Task) -> Executor:
        if self.executor_factory is not None:
            return self.executor_factory(task)
        if self._trusts(task):
            return TrustedExecutor(task, timeout=self.timeout, ftrl=self.preset.ftrl_execution)
        return SandboxExecutor(task, timeout=self.timeout, ftrl=self.preset.ftrl_execution)

    def _trusts(self, task: Task) -> bool:
        """Whether `task`'s code may run in this process. Never read from the task itself: `trust_code` decides,
        else the source (toolgym's generated stream) or toolgym's shipped catalog, by content hash."""
        if self.trust_code is not None:
            return self.trust_code
        return self._source_trusted or is_trusted_hash(task.content_hash)

    def step(self, action: Any) -> tuple[list[dict[str, Any]], float, bool, bool, dict[str, Any]]:
        if self._verifier is None or self._executor is None:
            raise ResetNeeded("call reset() before step()")
        if self._done:
            raise ResetNeeded("the episode is over: call reset() before step()")
        parsed = parse_action(action, self.parser)
        if self.max_calls_per_turn is not None:
            parsed = limit_calls(parsed, self.max_calls_per_turn)
        ids = [self._unique_id(call.id, i) for i, call in enumerate(parsed.calls)]
        results = run_turn(self._executor, parsed.calls)
        score = self._verifier.score_turn(parsed, list(zip(parsed.calls, results)))
        self._record_turn(parsed, ids, results)
        self._turn += 1
        terminated = score.ends_episode
        truncated = not terminated and self._turn >= self.max_turns
        self._done = terminated or truncated
        info = self._info()
        info["solved"] = list(score.solved)
        info["parse_issues"] = [{"fragment": i.fragment, "reason": i.reason} for i in parsed.issues]
        return self._observation(), float(score.reward), terminated, truncated, info

    def _unique_id(self, given: str | None, index: int) -> str:
        """The model's id for a call unless it was already used in this episode (tool messages must answer
        distinct ids), else the deterministic `call_<turn>_<index>` (suffixed in the unlikely event of a clash)."""
        candidate = given if given and given not in self._ids else call_id(self._turn, index)
        while candidate in self._ids:
            candidate += "_"
        self._ids.add(candidate)
        return candidate

    def _record_turn(self, parsed: ParsedTurn, ids: list[str], results: list[Any]) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": parsed.content}
        if parsed.reasoning is not None:
            message["reasoning_content"] = parsed.reasoning
        if parsed.calls:
            message["tool_calls"] = [call.openai(i) for call, i in zip(parsed.calls, ids)]
        self._record(message)
        for call, i, result in zip(parsed.calls, ids, results):
            self._record({"role": "tool", "tool_call_id": i, "name": call.name, "content": clipped(result.content)})
        if parsed.issues:
            self._record({"role": "user", "content": _issues_feedback(parsed)})

    def _record(self, message: dict[str, Any]) -> None:
        self._messages.append(message)
        self._shown.append(_copy_message(message))

    def _info(self) -> dict[str, Any]:
        assert self.task is not None and self._verifier is not None
        # `tools` in every info, not only at reset: a vector env's autoreset (any mode) hands each observation
        # the info of the episode it belongs to, so a new episode's tools never arrive a step late.
        return {"task_id": self.task.id, "turn": self._turn, "metrics": self._verifier.metrics(),
                "answer_correct": self._verifier.answer_correct, "tools": self._tools}

    def _observation(self) -> list[dict[str, Any]]:
        return self._shown.copy()  # a new list of the shared, read-only message dicts (see the class docstring)

    # -- helpers for users -----------------------------------------------------------------------------------------

    def oracle_actions(self) -> list[dict[str, Any]]:
        """The actions that replay the current task's gold plan, then give the final answer.

        Assistant message dicts in OpenAI form: one per gold turn with its `tool_calls`, then one with the final
        answer in `content` and no calls. Raises `ToolgymError` when the task has no gold plan (imported data).
        """
        if self.task is None:
            raise ResetNeeded("call reset() before oracle_actions()")
        if self.task.gold_plan is None:
            raise ToolgymError(f"task {self.task.id!r} has no gold plan (imported data), so it has no oracle")
        actions: list[dict[str, Any]] = []
        for turn, calls in enumerate(self.task.gold_plan):
            tool_calls = [ToolCall.of(c.name, c.arguments).openai(call_id(turn, i)) for i, c in enumerate(calls)]
            actions.append({"role": "assistant", "content": "", "tool_calls": tool_calls})
        actions.append({"role": "assistant", "content": self.task.answer})
        return actions

    def render(self) -> str | None:
        """A readable transcript of the episode so far (returned for 'ansi' or no mode, printed for 'human')."""
        text = transcript(self._messages)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        self._close_executor()

    def _close_executor(self) -> None:
        if self._executor is not None:
            self._executor.close()
            self._executor = None


_TASK_TOOLS: IdentityMemo[tuple[list[dict[str, Any]], dict[str, list[str]]]] = IdentityMemo(1024)


def _tool_lists(task: Task) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """A task's OpenAI tool list and its tools' parameter names, made once per task (frozen): rebuilding the list
    was more than half of a reset."""
    return task.openai_tools(), {t.name: list(t.function.parameters.get("properties") or ()) for t in task.tools}


def _copy_message(message: dict[str, Any]) -> dict[str, Any]:
    copy = dict(message)
    if "tool_calls" in copy:
        copy["tool_calls"] = [{**c, "function": dict(c["function"])} for c in copy["tool_calls"]]
    return copy


def _issues_feedback(parsed: ParsedTurn) -> str:
    lines = [f"- {issue.reason}: {issue.fragment}" for issue in parsed.issues]
    return "Some tool calls could not be read and were not run:\n" + "\n".join(lines)


def transcript(messages: Sequence[dict[str, Any]]) -> str:
    """Messages as readable text, one block per message."""
    blocks = []
    for m in messages:
        head = m["role"] if m["role"] != "tool" else f"tool {m.get('name', '')} [{m.get('tool_call_id', '')}]"
        lines = [f"[{head}]"]
        if m.get("reasoning_content"):
            lines.append(f"(thinking) {m['reasoning_content']}")
        if m.get("content"):
            lines.append(m["content"])
        for c in m.get("tool_calls", ()):
            lines.append(f"-> {c['function']['name']}({c['function']['arguments']})  [{c.get('id', '')}]")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)

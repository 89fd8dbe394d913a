"""TRL: train on toolgym tasks with `GRPOTrainer`, multi-turn (`environment_factory`) or the paper's single-turn.

Multi-turn. TRL reads an environment's tools off the *methods of its class* (names, type hints, Google
docstrings) and renders one tool schema per environment *name*. toolgym's tools differ per task, so every task of
the dataset gets its own environment class, with one method per tool, under its own name in a dict
`environment_factory`; each dataset row names its environment in the `environment` column. The methods run the
call through toolgym's executor (so the model sees toolgym's results and error messages) and the schema TRL renders
is the tool's own, flattened the way TRL flattens it (nested `items`/`properties` are not rendered; arguments are
still checked against the full schema). TRL never sends the final text turn to an environment, so the reward
function replays each completion's assistant turns through a fresh `ToolEnv` and returns the episode's return under
the preset (`"default"` or `"ftrl"`).

>>> from trl import GRPOConfig, GRPOTrainer                               # doctest: +SKIP
>>> grpo = grpo_inputs(["ToolEnv/travel-L3"], n=256)                       # doctest: +SKIP
>>> trainer = GRPOTrainer(model="Qwen/Qwen3-0.6B", args=GRPOConfig(), train_dataset=grpo.dataset,
...     environment_factory=grpo.environment_factory, reward_funcs=grpo.reward_funcs)  # doctest: +SKIP

Single-turn (the paper's shape). `state_inputs(states, tokenizer)` pre-renders each state (a conversation prefix
with its tools) into a text prompt; the completion is one turn, scored by `StateScorer` against the state's pending
sub-answers.
"""

from __future__ import annotations

import inspect
import json
import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from toolgym.envs.state_env import StateScorer
from toolgym.envs.tool_env import ToolEnv
from toolgym.errors import MissingDependencyError, ToolgymError
from toolgym.models.task import Task, ToolSpec

_RESERVED = frozenset({"reset", "get_reward"})  # TRL gives these names a meaning of their own
_UNBOUNDED_TURNS = 2**31  # the tool-running env never truncates: TRL bounds the turns itself
_JSON_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list,
                               "object": dict}


@dataclass(frozen=True)
class GRPOInputs:
    """What `GRPOTrainer` takes: `train_dataset`, `environment_factory` and `reward_funcs`."""

    dataset: Any
    environment_factory: dict[str, type[TaskEnvironment]]  # a class is a zero-argument factory
    reward_funcs: list[Callable[..., list[float]]]
    tasks: dict[str, Task]


def grpo_inputs(env_ids: Sequence[str], n: int, *, reward: str = "default", split: str | None = None,
                ) -> GRPOInputs:
    """The dataset (tasks 0..n-1 of each id: `prompt`, `environment`, `env_id`, `seed`), one environment class
    per task, and the reward function, for a multi-turn `GRPOTrainer` run."""
    from toolgym.cli.interactive import make_env

    rows, tasks, factories = [], {}, {}
    for env_id in env_ids:
        env = make_env(env_id, split).unwrapped
        for seed in range(n):
            obs, _ = env.reset(seed=seed)
            name = f"{env_id}:{seed}"
            tasks[name] = env.task
            # toolgym's own ids are trusted by the env that makes them; their code runs in-process
            factories[name] = environment_class(env.task, trust_code=env._trusts(env.task))
            rows.append({"prompt": obs, "environment": name, "env_id": env_id, "seed": seed})
        env.close()
    return GRPOInputs(_dataset(rows), factories, [episode_reward(reward)], tasks)


def _dataset(rows: list[dict[str, Any]]) -> Any:
    try:
        from datasets import Dataset
    except ImportError:
        raise MissingDependencyError("datasets", "trl") from None
    return Dataset.from_list(rows)


class TaskEnvironment:
    """The TRL environment of one task: `reset` starts a fresh episode (fresh tool state); each tool is a method
    (added by `environment_class`) that runs the call through toolgym's executor and returns the tool message."""

    task: Task
    trust_code: bool | None = None

    def __init__(self) -> None:
        self._env = ToolEnv([self.task], max_turns=_UNBOUNDED_TURNS, trust_code=self.trust_code)

    def reset(self, **row: Any) -> None:
        """Start the task's episode again; the prompt is already in the dataset row."""
        self._env.reset(options={"task_index": 0})

    def _call(self, name: str, arguments: dict[str, Any]) -> str:
        call = {"type": "function", "function": {"name": name, "arguments": arguments}}
        obs, *_ = self._env.step({"role": "assistant", "content": "", "tool_calls": [call]})
        return obs[-1]["content"]


def environment_class(task: Task, *, trust_code: bool | None = None) -> type[TaskEnvironment]:
    """A `TaskEnvironment` subclass for `task` with one typed, documented method per tool."""
    methods = {spec.name: _tool_method(spec) for spec in task.tools}
    return type(f"TaskEnvironment_{task.content_hash[:12]}", (TaskEnvironment,),
                {**methods, "task": task, "trust_code": trust_code})


def _tool_method(spec: ToolSpec) -> Callable[..., str]:
    name, schema = spec.name, spec.function.parameters
    if name in _RESERVED or name.startswith("_"):
        raise ToolgymError(f"tool name {name!r} cannot be a TRL environment method (TRL reserves reset, "
                           "get_reward and names starting with '_'); rename the tool")
    required = set(schema.get("required", ()))
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {"return": str}
    lines = [" ".join((spec.function.description or name).split()), "", "Args:"]
    for param, sub in schema.get("properties", {}).items():
        if not param.isidentifier() or keyword.iskeyword(param):
            raise ToolgymError(f"tool {name!r}: parameter {param!r} is not a Python identifier, which TRL needs "
                               "(tools are methods); rename the parameter")
        hint = _hint(sub)
        optional = param not in required
        annotations[param] = hint | None if optional else hint
        params.append(inspect.Parameter(param, inspect.Parameter.KEYWORD_ONLY, annotation=annotations[param],
                                        default=None if optional else inspect.Parameter.empty))
        lines.append(f"    {param}: {' '.join(str(sub.get('description') or param).split())}")

    def method(self: TaskEnvironment, **arguments: Any) -> str:
        # an optional argument left out reaches here as its default, None: drop it, as if never written
        return self._call(name, {k: v for k, v in arguments.items() if v is not None or k in required})

    method.__name__ = method.__qualname__ = name
    method.__signature__ = inspect.Signature(params, return_annotation=str)  # type: ignore[attr-defined]
    method.__annotations__ = annotations
    method.__doc__ = "\n".join(lines if len(params) > 1 else lines[:1])
    return method


def _hint(schema: dict[str, Any]) -> Any:
    """The Python type hint whose JSON schema (as transformers derives it) is closest to `schema`."""
    if isinstance(schema.get("enum"), list) and schema["enum"] and all(
            isinstance(v, (str, int, float, bool)) for v in schema["enum"]):
        return Literal[tuple(schema["enum"])]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return _JSON_TYPES.get(kind, str)


# --- rewards ----------------------------------------------------------------------------------------------------

def episode_reward(reward: str = "default") -> Callable[..., list[float]]:
    """A TRL reward function: the return of each completion's episode under the preset `reward`, replayed turn by
    turn through a fresh `ToolEnv` on the task of the row's environment (whose tool code it trusts as they do)."""

    def reward_func(prompts: list[Any], completions: list[Any], completion_ids: list[Any] | None = None, *,
                    environments: list[TaskEnvironment], **columns: Any) -> list[float]:
        return [episode_return(env.task, completion, reward=reward, trust_code=env.trust_code)
                for env, completion in zip(environments, completions, strict=True)]

    reward_func.__name__ = f"toolgym_{reward}"
    return reward_func


def episode_return(task: Task, completion: list[dict[str, Any]] | str, *, reward: str = "default",
                   trust_code: bool | None = None) -> float:
    """The sum of the rewards of `completion`'s assistant turns played on `task` (a text completion is one turn)."""
    turns = [completion] if isinstance(completion, str) else [m for m in completion if m["role"] == "assistant"]
    env = ToolEnv([task], reward=reward, trust_code=trust_code)
    try:
        env.reset(options={"task_index": 0})
        total = 0.0
        for turn in turns:
            _, score, terminated, truncated, _ = env.step(_as_action(turn))
            total += score
            if terminated or truncated:
                break
        return total
    finally:
        env.close()


def _as_action(turn: dict[str, Any] | str) -> dict[str, Any] | str:
    if isinstance(turn, str):
        return turn
    return {"role": "assistant", "content": turn.get("content") or "", "tool_calls": turn.get("tool_calls") or []}


# --- single-turn: the paper's states --------------------------------------------------------------------------

def state_inputs(states: Sequence[Task], tokenizer: Any, *, reward: str = "ftrl",
                 trust_code: bool | None = None) -> tuple[Any, Callable[..., list[float]]]:
    """`(dataset, reward_func)` for single-turn training on `states`: each prompt is the state's prefix rendered
    with its tools by `tokenizer`'s chat template (a text prompt, ending in the generation prompt); the reward is
    `StateScorer`'s score of the completion from that state."""
    rows = [{"prompt": tokenizer.apply_chat_template(s.opening_messages(), tools=s.openai_tools(), tokenize=False,
                                                     add_generation_prompt=True), "state": i}
            for i, s in enumerate(states)]
    scorer = StateScorer(states, reward=reward, trust_code=trust_code)

    def reward_func(prompts: list[Any], completions: list[Any], completion_ids: list[Any] | None = None, *,
                    state: list[int], **columns: Any) -> list[float]:
        return [scorer.score(i, _text(c)) for i, c in zip(state, completions, strict=True)]

    reward_func.__name__ = f"toolgym_state_{reward}"
    return _dataset(rows), reward_func


def _text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[0], dict):
        return completion[0].get("content") or ""
    raise ToolgymError(f"a single-turn completion is text; got {json.dumps(completion)[:80]}")

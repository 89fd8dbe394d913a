"""`BatchedVectorEnv`: vector envs whose worker processes each host several envs.

Gymnasium's `AsyncVectorEnv` gives every env a process and a pipe round trip per step; a tool-use env's step takes
tens of microseconds, so the round trips, not the envs, set the pace. Here `workers` processes (default: one per
core) each step a contiguous slice of the envs in a loop, so a vector step costs one round trip per worker.

What comes back is what `SyncVectorEnv(..., copy=False)` returns, in both autoreset modes it supports
(`NEXT_STEP`, gymnasium's default, and `SAME_STEP`): a tuple of observations (conversations are not arrays),
arrays of rewards, terminations and truncations, and gymnasium's vector info (a dict of arrays with `_key` masks,
built per key rather than per env: `batch_infos`). Observations are ToolEnv's own, read-only (see `ToolEnv`), so
nothing is copied. An env's OpenAI tool list crosses the pipe once per episode, not at every step (it is the same
list all episode). An exception in an env is raised again in the caller, naming the env.

    >>> envs = toolgym.make_batched("ToolEnv/travel-L1", 64, workers=2)    # doctest: +SKIP
    >>> obs, infos = envs.reset(seed=0)                                     # doctest: +SKIP
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import CloudpickleWrapper, batch_space

from toolgym.errors import ToolgymError

_SAME_TOOLS = "__toolgym_same_tools__"  # stands for the tool list this env sent last (same object all episode)


class BatchedVectorEnv(VectorEnv):
    """`len(env_fns)` envs stepped by `workers` processes (default: the usable cores, at most one per env).

    `context` is a multiprocessing start method (default: the platform's). `autoreset_mode` is `NEXT_STEP` (the
    step after an episode ends resets that env, as gymnasium's vector envs do by default) or `SAME_STEP` (the
    step that ends it resets it, with `final_obs` and `final_info` in the info).
    """

    def __init__(self, env_fns: Sequence[Callable[[], gym.Env]], *, workers: int | None = None,
                 context: str | None = None,
                 autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP) -> None:
        if len(env_fns) == 0:
            raise ToolgymError("BatchedVectorEnv needs at least one env function")
        mode = AutoresetMode(autoreset_mode)
        if mode not in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP):
            raise ToolgymError(f"autoreset_mode must be NEXT_STEP or SAME_STEP, got {mode.value!r}")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        workers = cores if workers is None else workers
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
            raise ToolgymError(f"workers must be a positive integer, got {workers!r}")
        self.num_envs = len(env_fns)
        self.autoreset_mode = mode
        self.metadata = {"autoreset_mode": mode}
        workers = min(workers, self.num_envs)
        bounds = [round(k * self.num_envs / workers) for k in range(workers + 1)]
        self._slices = [slice(bounds[k], bounds[k + 1]) for k in range(workers)]
        ctx = multiprocessing.get_context(context)
        self._pipes: list[Connection] = []
        self._processes = []
        for part in self._slices:
            parent, child = ctx.Pipe()
            process = ctx.Process(target=_serve, name="toolgym-vector-worker", daemon=True,
                                  args=(CloudpickleWrapper(list(env_fns[part])), part.start, mode, child, parent))
            process.start()
            child.close()
            self._pipes.append(parent)
            self._processes.append(process)
        self._closed = False
        self._tools: list[Any] = [None] * self.num_envs
        single_obs, single_action, self.spec, self.render_mode = self._request("spaces", None)[0]
        self.single_observation_space, self.single_action_space = single_obs, single_action
        self.observation_space = batch_space(single_obs, self.num_envs)
        self.action_space = batch_space(single_action, self.num_envs)

    # -- the VectorEnv API ------------------------------------------------------------------------------------

    def reset(self, *, seed: int | Sequence[int | None] | None = None,
              options: dict[str, Any] | None = None) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if seed is None:
            seeds: list[int | None] = [None] * self.num_envs
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            seeds = [int(seed) + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"If seeds are passed as a list the length must match num_envs={self.num_envs} "
                                 f"but got length={len(seeds)}.")
        replies = self._request("reset", [(seeds[part], options) for part in self._slices])
        observations, infos = [], []
        for obs, info in replies:
            observations += obs
            infos += info
        return tuple(observations), batch_infos(self._restore_tools(infos), self.num_envs)

    def step(self, actions: Sequence[Any]) -> tuple[tuple[Any, ...], np.ndarray, np.ndarray, np.ndarray,
                                                      dict[str, Any]]:
        actions = list(actions)
        if len(actions) != self.num_envs:
            raise ValueError(f"expected {self.num_envs} actions, got {len(actions)}")
        replies = self._request("step", [actions[part] for part in self._slices])
        observations, rewards, terminations, truncations, infos = [], [], [], [], []
        for obs, reward, terminated, truncated, info in replies:
            observations += obs
            rewards += reward
            terminations += terminated
            truncations += truncated
            infos += info
        return (tuple(observations), np.array(rewards, dtype=np.float64), np.array(terminations, dtype=np.bool_),
                np.array(truncations, dtype=np.bool_), batch_infos(self._restore_tools(infos), self.num_envs))

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Call method `name` (or read attribute `name`) of every env; their results in env order."""
        return tuple(r for reply in self._request("call", [(name, args, kwargs)] * len(self._slices))
                     for r in reply)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        return self.call(name)

    def set_attr(self, name: str, values: Any) -> None:
        values = list(values) if isinstance(values, (list, tuple)) else [values] * self.num_envs
        if len(values) != self.num_envs:
            raise ValueError(f"values must have length num_envs={self.num_envs}, got {len(values)}")
        self._request("set_attr", [(name, values[part]) for part in self._slices])

    def close_extras(self, **kwargs: Any) -> None:
        if self._closed:
            return
        self._closed = True
        for pipe in self._pipes:
            try:
                pipe.send(("close", None))
            except (BrokenPipeError, OSError):
                pass
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        for pipe in self._pipes:
            pipe.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()

    # -- internals ------------------------------------------------------------------------------------------------

    def _request(self, command: str, data: list[Any] | None) -> list[Any]:
        """Send `command` with each worker's part of `data` to every worker, then collect their replies in order."""
        if self._closed:
            raise ToolgymError("this BatchedVectorEnv is closed")
        for k, pipe in enumerate(self._pipes):
            pipe.send((command, None if data is None else data[k]))
        replies, failure = [], None
        for pipe in self._pipes:
            ok, reply = pipe.recv()
            if ok:
                replies.append(reply)
            elif failure is None:
                failure = reply
        if failure is not None:
            raise ToolgymError(failure)
        return replies

    def _restore_tools(self, infos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, info in enumerate(infos):
            tools = info.get("tools")
            if tools is None:
                continue
            if type(tools) is str and tools == _SAME_TOOLS:
                info["tools"] = self._tools[i]
            else:
                self._tools[i] = tools
        return infos


def _serve(env_fns: CloudpickleWrapper, first: int, mode: AutoresetMode, pipe: Connection,
           parent_end: Connection) -> None:
    """A worker's loop: build its envs, then answer commands until told to close."""
    parent_end.close()
    envs = [fn() for fn in env_fns.fn]
    ended = [False] * len(envs)
    sent_tools: list[Any] = [None] * len(envs)

    def shrink(i: int, info: dict[str, Any]) -> dict[str, Any]:
        tools = info.get("tools")
        if tools is not None:
            if tools is sent_tools[i]:
                info = {**info, "tools": _SAME_TOOLS}  # a copy: the env's own info is left alone
            else:
                sent_tools[i] = tools
        return info

    def step(actions: list[Any]) -> tuple[list[Any], ...]:
        observations, rewards, terminations, truncations, infos = [], [], [], [], []
        for i, (env, action) in enumerate(zip(envs, actions)):
            if mode is AutoresetMode.NEXT_STEP and ended[i]:
                obs, info = env.reset()
                reward, terminated, truncated = 0.0, False, False
            else:
                obs, reward, terminated, truncated, info = env.step(action)
                if mode is AutoresetMode.SAME_STEP and (terminated or truncated):
                    final_obs, final_info = obs, info
                    obs, info = env.reset()
                    info = {**info, "final_obs": final_obs, "final_info": final_info}
            ended[i] = terminated or truncated
            observations.append(obs)
            rewards.append(reward)
            terminations.append(terminated)
            truncations.append(truncated)
            infos.append(shrink(i, info))
        return observations, rewards, terminations, truncations, infos

    def reset(data: tuple[list[int | None], dict[str, Any] | None]) -> tuple[list[Any], list[dict[str, Any]]]:
        seeds, options = data
        observations, infos = [], []
        for i, (env, seed) in enumerate(zip(envs, seeds)):
            obs, info = env.reset(seed=seed, options=options)
            ended[i] = False
            observations.append(obs)
            infos.append(shrink(i, info))
        return observations, infos

    def call(data: tuple[str, tuple[Any, ...], dict[str, Any]]) -> list[Any]:
        name, args, kwargs = data
        results = []
        for env in envs:
            attribute = env.get_wrapper_attr(name)
            results.append(attribute(*args, **kwargs) if callable(attribute) else attribute)
        return results

    def set_attr(data: tuple[str, list[Any]]) -> None:
        name, values = data
        for env, value in zip(envs, values):
            env.set_wrapper_attr(name, value)

    def spaces(_: None) -> tuple[Any, ...]:
        env = envs[0]
        return env.observation_space, env.action_space, env.spec, env.render_mode

    handlers = {"step": step, "reset": reset, "call": call, "set_attr": set_attr, "spaces": spaces}
    try:
        while True:
            command, data = pipe.recv()
            if command == "close":
                break
            try:
                pipe.send((True, handlers[command](data)))
            except Exception as e:  # noqa: BLE001 - reported to the caller, who raises it; the worker lives on
                where = f"env {first}-{first + len(envs) - 1} of the worker"
                pipe.send((False, f"{type(e).__name__} in {where}: {e}\n{traceback.format_exc()}"))
    except (EOFError, KeyboardInterrupt):  # the parent went away
        pass
    finally:
        for env in envs:
            env.close()
        pipe.close()


def batch_infos(infos: Sequence[dict[str, Any]], num_envs: int) -> dict[str, Any]:
    """Gymnasium's vector info for per-env `infos` (the structure `VectorEnv._add_info` builds env by env: an array
    per key, typed by the first env that has it, and a `_key` mask), built one key at a time."""
    keys: dict[str, None] = {}
    for info in infos:
        keys.update(dict.fromkeys(info))
    out: dict[str, Any] = {}
    for key in keys:
        present = [i for i, info in enumerate(infos) if key in info]
        first = infos[present[0]][key]
        if key != "final_obs" and isinstance(first, dict):
            out[key] = batch_infos([infos[i][key] if i in present else {} for i in range(num_envs)], num_envs)
        else:
            out[key] = _array(key, first, [infos[i][key] for i in present], present, num_envs)
        mask = np.zeros(num_envs, dtype=np.bool_)
        mask[present] = True
        out[f"_{key}"] = mask
    return out


def _array(key: str, first: Any, values: list[Any], present: list[int], num_envs: int) -> np.ndarray:
    if key != "final_obs" and (type(first) in (int, float, bool) or issubclass(type(first), np.number)):
        array = np.zeros(num_envs, dtype=type(first))
    elif key != "final_obs" and isinstance(first, np.ndarray):
        array = np.zeros((num_envs, *first.shape), dtype=first.dtype)
    else:
        array = np.full(num_envs, fill_value=None, dtype=object)
        for i, value in zip(present, values):  # one by one: a list value is one object, not a row
            array[i] = value
        return array
    array[present] = values
    return array


def make_batched(env_id: str, num_envs: int, *, workers: int | None = None, context: str | None = None,
                 autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP, **env_kwargs: Any
                 ) -> BatchedVectorEnv:
    """`num_envs` copies of `gym.make(env_id, **env_kwargs)` in a `BatchedVectorEnv`.

    >>> envs = make_batched("ToolEnv/travel-L1", 64, workers=2)    # doctest: +SKIP
    """
    if not isinstance(num_envs, int) or isinstance(num_envs, bool) or num_envs < 1:
        raise ToolgymError(f"num_envs must be a positive integer, got {num_envs!r}")
    gym.spec(env_id)  # an unknown id fails here, in the caller, with gymnasium's "did you mean"
    return BatchedVectorEnv([functools.partial(gym.make, env_id, **env_kwargs)] * num_envs, workers=workers,
                            context=context, autoreset_mode=autoreset_mode)

"""`BatchedVectorEnv` returns what `SyncVectorEnv(copy=False)` returns, step for step, in both autoreset modes."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from hypothesis import given, settings
from hypothesis import strategies as st

import toolgym  # noqa: F401 (registers the ids)
from toolgym.envs.vector import BatchedVectorEnv, batch_infos, make_batched
from toolgym.errors import ToolgymError

ENV_ID = "ToolEnv/travel-L2"


def same(a, b) -> bool:
    """Deep equality of vector-env outputs (numpy arrays, object arrays of lists, dicts, tuples)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and all(same(x, y) for x, y in zip(a.tolist(), b.tolist())))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_batched_steps_like_sync(mode, workers):
    n = 5
    batched = make_batched(ENV_ID, n, workers=workers, autoreset_mode=mode)
    sync = SyncVectorEnv([lambda: gym.make(ENV_ID)] * n, copy=False, autoreset_mode=mode)
    try:
        got, want = batched.reset(seed=7), sync.reset(seed=7)
        assert same(got, want)
        for _ in range(9):  # episodes end (and restart) at different steps in different envs
            turns, plans = want[-1]["turn"], sync.call("oracle_actions")
            actions = [plan[min(turn, len(plan) - 1)] for plan, turn in zip(plans, turns)]
            got, want = batched.step(actions), sync.step(actions)
            assert same(got, want)
        assert same(batched.call("render"), sync.call("render"))
        assert batched.get_attr("max_turns") == (20,) * n
        batched.set_attr("max_turns", [3] * n)
        assert batched.get_attr("max_turns") == (3,) * n
    finally:
        batched.close()
        sync.close()


def test_an_error_in_an_env_is_raised_in_the_caller_naming_it():
    envs = make_batched(ENV_ID, 3, workers=2)
    try:
        envs.reset(seed=0)
        with pytest.raises(ToolgymError, match=r"in env \d-\d of the worker"):
            envs.call("no_such_method")
        assert len(envs.step(["Final answer: 3"] * 3)[0]) == 3  # the workers live on
    finally:
        envs.close()
    with pytest.raises(ToolgymError, match="closed"):
        envs.step(["x"] * 3)


def test_bad_arguments_name_the_problem():
    with pytest.raises(ToolgymError, match="workers"):
        BatchedVectorEnv([lambda: gym.make(ENV_ID)], workers=0)
    with pytest.raises(ToolgymError, match="at least one"):
        BatchedVectorEnv([])
    with pytest.raises(ToolgymError, match="autoreset_mode"):
        BatchedVectorEnv([lambda: gym.make(ENV_ID)], autoreset_mode="Disabled")
    with pytest.raises(ToolgymError, match="num_envs"):
        make_batched(ENV_ID, 0)
    with pytest.raises(gym.error.Error):
        make_batched("ToolEnv/travle-L2", 2)


values = st.one_of(st.integers(-5, 5), st.floats(allow_nan=False), st.booleans(), st.text(max_size=3),
                   st.lists(st.integers(), max_size=3), st.none())
info_dicts = st.dictionaries(st.sampled_from(["a", "b", "c", "final_obs"]),
                             values | st.dictionaries(st.sampled_from(["x", "y"]), values, max_size=2), max_size=4)


@settings(max_examples=200, deadline=None)
@given(infos=st.lists(info_dicts, min_size=1, max_size=5))
def test_batch_infos_is_gymnasiums_add_info(infos):
    # gymnasium types an array by the first env having the key; keep each key's type alike across envs, as envs do
    kinds: dict = {}
    infos = [{k: v for k, v in info.items() if kinds.setdefault(k, _kind(v)) == _kind(v)} for info in infos]
    env = SyncVectorEnv([lambda: gym.make(ENV_ID)])
    env.num_envs = len(infos)
    want: dict = {}
    for i, info in enumerate(infos):
        want = env._add_info(want, info, i)
    assert same(batch_infos(infos, len(infos)), want)


def _kind(value):
    if isinstance(value, dict):
        return ("dict", frozenset((k, _kind(v)) for k, v in value.items()))
    return type(value).__name__

"""Invariants every registered id keeps, over several seeds, on both splits."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from toolgym import ToolgymError
from toolgym.generation.checks import leak_problems

IDS = toolgym.BUILTIN_IDS
SEEDS = (0, 7)


def test_every_domain_and_level_is_registered():
    from toolgym.generation import domain_names

    assert len(domain_names()) >= 30 and len(IDS) == 5 * len(domain_names())
    assert "ToolEnv/travel-L3" in IDS and "ToolEnv/real_estate-L5" in IDS and "ToolEnv/theatre-L1" in IDS


def run(env, actions):
    total, info = 0.0, {}
    for action in actions:
        _, reward, terminated, truncated, info = env.step(action)
        total += reward
        if terminated or truncated:
            break
    return total, info


@pytest.mark.parametrize("env_id", IDS)
def test_check_env(env_id):
    check_env(gym.make(env_id).unwrapped, skip_render_check=True)


@pytest.mark.parametrize("split", ["train", "test"])
@pytest.mark.parametrize("env_id", IDS)
def test_gold_plan_earns_full_marks_and_baselines_earn_nothing(env_id, split):
    env = gym.make(env_id, split=split)
    for seed in SEEDS:
        env.reset(seed=seed)
        task = env.unwrapped.task
        assert not leak_problems(task), task.id
        total, info = run(env, env.unwrapped.oracle_actions())
        assert info["metrics"] == {"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0}, task.id
        assert info["answer_correct"] and total == 2.0, task.id

        env.reset(seed=seed)  # null policy: answers at once
        total, info = run(env, ["I am not sure."])
        assert total <= 0 and not info["answer_correct"]

        env.reset(seed=seed)  # distractor-only policy
        needed = set(task.expected)
        calls = [{"id": f"d{i}", "type": "function", "function": {"name": t.name, "arguments": "{}"}}
                 for i, t in enumerate(task.tools) if t.name not in needed]
        # it gives up in words that answer nothing: "no idea" would answer a yes/no question with "no"
        actions = ([{"role": "assistant", "content": "", "tool_calls": calls}] if calls else []) + ["I could not "
                                                                                                   "find it."]
        total, info = run(env, actions)
        assert total <= 0 and info["metrics"]["solve_rate"] == 0.0 and not info["answer_correct"]


def _fingerprint(ids, seeds) -> str:
    digest = hashlib.sha256()
    for env_id in ids:
        env = gym.make(env_id)
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            digest.update(json.dumps([obs, info], sort_keys=True).encode())
            for action in env.unwrapped.oracle_actions():
                digest.update(json.dumps(env.step(action)[:4], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def test_same_seed_same_episode_across_processes():
    ids = ["ToolEnv/travel-L1", "ToolEnv/finance-L3", "ToolEnv/sports-L5"]
    here = _fingerprint(ids, SEEDS)
    assert here == _fingerprint(ids, SEEDS)
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parents[2])!r}); "
            f"from tests.registry.test_builtin_envs import _fingerprint; print(_fingerprint({ids!r}, {SEEDS!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert out.stdout.strip() == here


def test_test_split_is_disjoint_from_train_stream():
    from toolgym.catalog import test_tasks
    from toolgym.generation import TaskStream

    for domain, level in [("travel", 1), ("food", 3), ("health", 5)]:
        test_hashes = {t.content_hash for t in test_tasks(domain, level)}
        stream = TaskStream(domain, level)
        assert not test_hashes & {stream[i].content_hash for i in range(100)}


def test_unknown_id_suggests_the_right_one():
    with pytest.raises(gym.error.NameNotFound, match="Did you mean: `travel-L3`"):
        gym.make("ToolEnv/travel-L33")
    with pytest.raises(toolgym.ToolgymError, match="split must be 'train' or 'test'"):
        gym.make("ToolEnv/travel-L3", split="dev")


def test_make_without_import_in_a_fresh_process():
    code = ("import gymnasium as gym; env = gym.make('toolgym:ToolEnv/weather-L2'); "
            "obs, info = env.reset(seed=1); print(info['task_id'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "weather-L2-train-s0-1"


def test_make_checks_seed_and_split_at_once():
    with pytest.raises(ToolgymError, match="seed must be an integer"):
        gym.make("ToolEnv/travel-L1", seed="abc")
    with pytest.raises(ToolgymError, match=r"test split is one fixed set of 20 tasks.*task_index"):
        gym.make("ToolEnv/travel-L1", split="test", seed=3)
    env = gym.make("ToolEnv/travel-L1", split="test")
    assert env.reset(seed=25)[1]["task_index"] == 5  # modulo the set's size, and info says which task

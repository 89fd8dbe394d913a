"""`RayRunner` on a local Ray cluster (`ray.init(num_cpus=2)`) gives the same output as the in-process runner.
Slow: starting Ray takes ~5-10 s."""

import json

import pytest

from tests.fixtures.extras import require
from toolgym.rollout import OraclePolicy, RandomPolicy
from toolgym.rollout.evaluation import EvalConfig, evaluate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray():
    ray = require("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("policy", [OraclePolicy, RandomPolicy])
def test_ray_run_matches_the_in_process_run_and_resumes(ray, tmp_path, policy):
    from toolgym.rollout.ray_runner import RayRunner

    config = EvalConfig(sources=("ToolEnv/travel-L1", "ToolEnv/finance-L3"), model=policy.name, n=5, k=2)
    local = evaluate(config, policy(), tmp_path / "local", progress=None)
    runner = RayRunner(policy, config.env_factory(), actors=2, envs_per_actor=3)
    remote = evaluate(config, None, tmp_path / "ray", progress=None, runner=runner)
    assert remote.summary == local.summary and remote.played == 20
    lines = (tmp_path / "ray" / "trajectories.jsonl").read_text().splitlines()
    (tmp_path / "ray" / "trajectories.jsonl").write_text("\n".join(lines[:7]) + "\n")  # as if killed
    resumed = evaluate(config, None, tmp_path / "ray", progress=None, runner=runner)
    assert (resumed.played, resumed.skipped, resumed.summary) == (13, 7, local.summary)
    assert {json.loads(line)["key"] for line in lines} == {
        json.loads(line)["key"] for line in (tmp_path / "ray" / "trajectories.jsonl").read_text().splitlines()}

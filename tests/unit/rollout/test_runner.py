import asyncio

import pytest

from toolgym.errors import ToolgymError
from toolgym.rollout import (EpisodeSpec, OraclePolicy, RandomPolicy, RunAborted, Runner, Turn, episodes, make_env,
                             rollout)
from toolgym.rollout.policy import EpisodeStop

IDS = ["ToolEnv/travel-L1", "ToolEnv/finance-L3", "ToolEnv/food-L5"]


def without_latency(trajectory):
    return {k: v for k, v in trajectory.items() if k != "latency_s"} | {
        "turns": [{k: v for k, v in t.items() if k != "latency_s"} for t in trajectory["turns"]]}


def test_oracle_solves_every_id_and_concurrency_changes_nothing():
    specs = episodes(IDS, n=3)
    serial = rollout(specs, OraclePolicy(), concurrency=1, split="test")
    parallel = rollout(specs, OraclePolicy(), concurrency=8, split="test")
    assert all(t["answer_correct"] and t["metrics"]["solve_f1"] == 1.0 for t in serial)
    assert [without_latency(t) for t in serial] == sorted(map(without_latency, parallel), key=lambda t: specs.index(
        EpisodeSpec(t["source"], t["index"], t["sample"])))


def test_random_policy_calls_the_tasks_tools_and_replays_the_same():
    specs = episodes(["ToolEnv/travel-L3"], n=4)
    first = rollout(specs, RandomPolicy(), concurrency=1, split="test")
    assert all(t["num_calls"] == 3 and t["stop_reason"] == "answered" for t in first)
    names = {c["function"]["name"] for t in first for m in t["messages"] for c in m.get("tool_calls", ())}
    assert names and all(not n.startswith("unknown") for n in names)
    assert list(map(without_latency, first)) == list(map(without_latency, rollout(specs, RandomPolicy(),
                                                                                   concurrency=1, split="test")))


def test_task_lists_and_files_are_sources(tasks, tmp_path):
    from toolgym.models import save_tasks
    save_tasks(tasks, tmp_path / "t.jsonl")
    factory = {"mine": lambda: make_env(tasks), str(tmp_path / "t.jsonl"): lambda: make_env(str(tmp_path / "t.jsonl"))}
    done = rollout(episodes(list(factory), n=3), OraclePolicy(), env_factory=lambda s: factory[s]())
    assert len(done) == 6 and all(t["answer_correct"] for t in done)


def test_unknown_source_names_the_fix():
    with pytest.raises(ToolgymError, match="neither a registered id .* nor an existing task file"):
        make_env("ToolEnv/nope-L1x")


class Scripted:
    """Ends episode 1 with a stop reason and aborts the run on episode 2."""

    name = "scripted"

    async def act(self, context):
        await asyncio.sleep(0)
        if context.task.id.endswith("-1"):
            raise EpisodeStop("server_error", "HTTP 500")
        if context.task.id.endswith("-2"):
            raise RunAborted("cannot reach the server")
        return Turn("Final answer: 1", "Final answer: 1")


def test_a_stop_ends_its_episode_and_an_abort_ends_the_run_keeping_what_finished():
    done = []
    specs = [EpisodeSpec("ToolEnv/travel-L1", i) for i in (0, 1, 2, 3)]
    runner = Runner(Scripted(), lambda s: make_env(s, split="test"), concurrency=1)
    with pytest.raises(RunAborted):
        asyncio.run(runner.run(specs, done.append))
    assert [(t["index"], t["stop_reason"]) for t in done] == [(0, "answered"), (1, "server_error")]
    assert done[1]["stop_detail"] == "HTTP 500" and done[1]["num_turns"] == 0

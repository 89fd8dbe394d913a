"""Which executor `ToolEnv` picks (trust is never read from a task file), and episodes over hostile code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.tasks import all_tasks
from toolgym import ToolEnv, ToolgymError, load_tasks
from toolgym.execution import SandboxExecutor, TrustedExecutor
from toolgym.models.calls import ToolCall

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ftrl"


def executor_of(env: ToolEnv):
    env.reset(seed=0)
    return type(env.unwrapped._executor)


def test_user_tasks_run_in_the_sandbox_by_default():
    assert executor_of(ToolEnv(all_tasks())) is SandboxExecutor
    assert executor_of(ToolEnv(str(FIXTURES / "tasks.jsonl"))) is SandboxExecutor


def test_trust_code_forces_either_way():
    assert executor_of(ToolEnv(all_tasks(), trust_code=True)) is TrustedExecutor
    from toolgym.generation import TaskStream
    assert executor_of(ToolEnv(TaskStream("travel", 1), trust_code=False)) is SandboxExecutor
    with pytest.raises(ToolgymError, match="trust_code must be True, False or None"):
        ToolEnv(all_tasks(), trust_code="yes")


def test_generated_stream_is_trusted():
    from toolgym.generation import TaskStream
    assert TaskStream.trusted is True
    assert executor_of(ToolEnv(TaskStream("travel", 1))) is TrustedExecutor


def test_catalog_hashes_are_trusted(tmp_path):
    from toolgym import catalog, load_tasks, save_tasks

    shipped = catalog.test_tasks("travel", 2)[0]
    path = save_tasks([shipped, all_tasks()[1]], tmp_path / "mixed.jsonl")  # a user's file, one catalog task
    env = ToolEnv(str(path))
    assert executor_of(env) is TrustedExecutor
    env.reset(seed=1)
    assert type(env.unwrapped._executor) is SandboxExecutor
    assert load_tasks(path)[0].content_hash == shipped.content_hash


def test_a_task_file_cannot_claim_trust(tmp_path):
    path = tmp_path / "claims.jsonl"
    row = (FIXTURES / "tasks.jsonl").read_text().splitlines()[0]
    path.write_text(row[:-1] + ', "trusted": true, "trust_code": true}\n')
    assert executor_of(ToolEnv(str(path))) is SandboxExecutor


def test_explicit_executor_wins():
    made = []

    def factory(task):
        made.append(task.id)
        return TrustedExecutor(task)

    assert executor_of(ToolEnv(all_tasks(), executor=factory, trust_code=False)) is TrustedExecutor and made


@pytest.mark.slow
def test_hostile_episode_goes_on():
    env = ToolEnv(str(FIXTURES / "hostile.jsonl"), reward="ftrl", timeout=1.0)
    env.reset(seed=0)
    names = ["infinite_loop", "fork", "open_socket", "call_exit", "never_defined", "huge_allocation"]
    calls = [ToolCall(n, "{}").openai(f"c{i}") for i, n in enumerate(names)]
    obs, reward, terminated, truncated, info = env.step({"role": "assistant", "content": "", "tool_calls": calls})
    tools = [m for m in obs if m["role"] == "tool"]
    assert len(tools) == len(names) and all(m["content"].startswith("an error occured when call") for m in tools)
    assert not terminated and info["solved"] == [None] * len(names)
    good = ToolCall("well_behaved", '{"x": 2}').openai("ok")
    obs, reward, *_ = env.step({"role": "assistant", "content": "", "tool_calls": [good]})
    assert obs[-1]["content"] == '{"value": 4}' and reward == pytest.approx(1.0)
    env.close()


def test_ftrl_tasks_load_and_replay_sandboxed():
    task = load_tasks(FIXTURES / "tasks.jsonl")[2]
    result = SandboxExecutor(task).run(ToolCall("get_weather", '{"city": "Zorvik"}'))
    assert result.content == '{"city": "Zorvik", "temperature": 12, "unit": "c"}'

"""The OpenEnv adapter: in process, and served by `toolgym serve` to OpenEnv's own WebSocket client."""

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request

import gymnasium as gym
import pytest

from tests.fixtures.extras import require

require("openenv")  # skipped where missing, required in CI

from openenv.core.env_server.mcp_types import CallToolAction, ListToolsAction  # noqa: E402
from openenv.core.generic_client import GenericEnvClient  # noqa: E402

from toolgym import ToolgymError  # noqa: E402
from toolgym.integrations.openenv import ToolgymAction, ToolgymEnvironment  # noqa: E402

ENV_ID = "ToolEnv/travel-L3"


def gym_rewards(seed, reward="default"):
    env = gym.make(ENV_ID, reward=reward).unwrapped
    env.reset(seed=seed)
    return [env.step(a)[1] for a in env.oracle_actions()], env


def turn(action):
    return ToolgymAction(content=action["content"], tool_calls=action.get("tool_calls", []))


def test_an_episode_in_process_matches_gym_make():
    expected, env = gym_rewards(2)
    server_env = ToolgymEnvironment(ENV_ID)
    obs = server_env.reset(seed=2)
    assert obs.messages[0]["role"] == "user" and obs.tools == env.task.openai_tools()
    assert server_env.state.task_id == env.task.id
    rewards = [server_env.step(turn(a)).reward for a in env.oracle_actions()]
    assert rewards == expected and server_env.state.step_count == len(rewards)
    with pytest.raises(ToolgymError, match="send a reset"):
        server_env.step(ToolgymAction(content="again"))


def test_mcp_style_tools_are_listed_and_called():
    expected, env = gym_rewards(0)
    server_env = ToolgymEnvironment(ENV_ID)
    server_env.reset(seed=0)
    listed = server_env.step(ToolgymAction(type="list_tools"))
    assert [t.name for t in listed.tools] == list(env.task.tool_names)
    assert listed.tools[0].input_schema == env.task.tools[0].function.parameters
    call = env.task.gold_plan[0][0]
    result = server_env.step(ToolgymAction(type="call_tool", tool_name=call.name, arguments=call.arguments))
    assert result.reward == expected[0] and not result.done and call.name == result.tool_name
    bad = server_env.step(ToolgymAction(type="call_tool", tool_name="nope"))
    assert "nope" in bad.result and bad.reward <= 0
    with pytest.raises(ValueError, match="tool_name"):
        ToolgymAction(type="call_tool")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolgym.cli", "serve", ENV_ID, "--port", str(port),
                             "--max-sessions", "4"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"toolgym serve did not start: {proc.communicate()[0].decode()[-2000:]}")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


async def _play(url, seeds, mcp):
    """One WebSocket session playing the oracle of each seed; MCP-style calls for tool turns when `mcp`."""
    rewards = {}
    async with GenericEnvClient(base_url=url) as client:
        for seed in seeds:
            result = await client.reset(seed=seed)
            env = gym.make(ENV_ID).unwrapped
            env.reset(seed=seed)
            assert result.observation["tools"] == env.task.openai_tools()
            got = []
            for action in env.oracle_actions():
                if mcp and len(action.get("tool_calls", ())) == 1:
                    function = action["tool_calls"][0]["function"]
                    message = CallToolAction(tool_name=function["name"], arguments=json.loads(function["arguments"]))
                else:
                    message = turn(action)
                result = await client.step(message)
                got.append(result.reward)
                await asyncio.sleep(0)  # let the other session interleave
            assert result.done and result.observation["info"]["answer_correct"] is True
            listed = await client.step(ListToolsAction())
            assert [t["name"] for t in listed.observation["tools"]] == list(env.task.tool_names)
            rewards[seed] = got
    return rewards


@pytest.mark.slow
def test_two_concurrent_sessions_over_websocket_get_gym_make_rewards(server):
    async def both():
        return await asyncio.gather(_play(server, [0, 1, 2], mcp=False), _play(server, [2, 1, 3], mcp=True))

    first, second = asyncio.run(both())
    for rewards in (first, second):
        for seed, got in rewards.items():
            assert got == pytest.approx(gym_rewards(seed)[0]), seed


def test_serve_refuses_an_unknown_id(capsys):
    from toolgym.cli import main

    assert main(["serve", "ToolEnv/nope-L9", "--port", "1"]) == 2
    assert "nope" in capsys.readouterr().err

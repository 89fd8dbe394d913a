"""OpenEnv: any toolgym id as an OpenEnv environment, served over HTTP and WebSocket (`toolgym serve ID`).

Each WebSocket session gets its own `ToolEnv` (its own executor, so no tool state is shared between sessions);
`SUPPORTS_CONCURRENT_SESSIONS` is True. Actions:

- `ToolgymAction(content=..., tool_calls=[...])`: one assistant turn, exactly as `ToolEnv.step` takes it (raw
  completion text in `content`, read by the preset's parser, or structured OpenAI/HF `tool_calls`);
- MCP style, on the wire exactly as OpenEnv's `ListToolsAction` / `CallToolAction` (`{"type": "list_tools"}`,
  `{"type": "call_tool", "tool_name": ..., "arguments": {...}}`, so a client may send those objects): list the
  current task's tools (`ListToolsObservation`), or play a turn with that one call (`CallToolObservation`, scored
  like any turn). OpenEnv routes its own MCP action classes only to environments whose action class is one of them
  or the bare `Action`; toolgym's action takes both shapes instead, so the JSON-RPC `/mcp` `tools/list` route is
  not served.

Observations carry the conversation (`messages`), the task's `tools`, the turn's `reward`, `done` (terminated or
truncated) and `info` (task_id, metrics, answer_correct, solved, parse_issues). Episodes run over the `/ws`
WebSocket; OpenEnv's HTTP `/reset` and `/step` build a fresh env per request, so they cannot carry an episode.

>>> app = create_toolgym_app("ToolEnv/travel-L3", max_sessions=8)    # doctest: +SKIP
>>> # or from a shell: toolgym serve ToolEnv/travel-L3 --port 8000
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from toolgym.errors import MissingDependencyError, ToolgymError

try:
    from openenv.core.env_server.http_server import create_app
    from openenv.core.env_server.interfaces import Environment
    from openenv.core.env_server.mcp_types import CallToolObservation, ListToolsObservation, Tool
    from openenv.core.env_server.types import Action, Observation, State
except ImportError:
    Environment = None

DEFAULT_MAX_SESSIONS = 64


if Environment is not None:  # without openenv the module still imports; its functions name the extra to install

    class ToolgymAction(Action):
        """One assistant turn (`type="turn"`: text read by the preset's parser and/or structured `tool_calls`), or an
        MCP-style `list_tools` / `call_tool` in the shape of OpenEnv's own MCP actions."""

        type: Literal["turn", "list_tools", "call_tool"] = Field(default="turn", description="What the action is.")
        content: str = Field(default="", description="turn: the text, a raw completion or the final answer.")
        tool_calls: list[dict[str, Any]] = Field(default_factory=list,
                                                 description="turn: OpenAI (JSON-string arguments) or HF tool calls.")
        tool_name: str | None = Field(default=None, description="call_tool: the tool to call.")
        arguments: dict[str, Any] = Field(default_factory=dict, description="call_tool: its arguments.")

        @model_validator(mode="after")
        def _call_names_a_tool(self) -> ToolgymAction:
            if self.type == "call_tool" and not self.tool_name:
                raise ValueError("a call_tool action needs a tool_name")
            return self


    class ToolgymObservation(Observation):
        """The conversation so far, the task's tools and the turn's info (`ToolEnv`'s)."""

        messages: list[dict[str, Any]] = Field(default_factory=list, description="The conversation so far.")
        tools: list[dict[str, Any]] = Field(default_factory=list, description="The task's tools (OpenAI form).")
        info: dict[str, Any] = Field(default_factory=dict, description="task_id, turn, metrics, answer_correct, ...")


    class ToolgymState(State):
        """Which id and task the session plays, and where it is."""

        env_id: str = Field(description="The toolgym id served.")
        task_id: str | None = Field(default=None, description="The current task, after reset.")


    class ToolgymEnvironment(Environment[ToolgymAction, ToolgymObservation, ToolgymState]):
        """A toolgym id behind OpenEnv's `Environment` interface; one instance per session."""

        SUPPORTS_CONCURRENT_SESSIONS = True

        def __init__(self, env_id: str, **make_kwargs: Any) -> None:
            from toolgym.cli.interactive import make_env

            super().__init__()
            self.env_id = env_id
            self._env = make_env(env_id, make_kwargs.pop("split", None), **make_kwargs)
            self._state = ToolgymState(env_id=env_id)
            self._tools: list[dict[str, Any]] = []
            self._done = True

        def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any) -> ToolgymObservation:
            obs, info = self._env.reset(seed=seed, options=kwargs.get("options"))
            self._tools = info.pop("tools")
            self._state = ToolgymState(env_id=self.env_id, task_id=info["task_id"], episode_id=episode_id)
            self._done = False
            return ToolgymObservation(messages=obs, tools=self._tools, info=info, reward=0.0, done=False)

        def step(self, action: Action, timeout_s: float | None = None, **kwargs: Any) -> Observation:
            kind = getattr(action, "type", None)
            if kind == "list_tools":
                return ListToolsObservation(tools=[_mcp_tool(t) for t in self._tools])
            if self._done:
                raise ToolgymError("the episode is over (or never started): send a reset first")
            if kind == "call_tool":
                call = {"type": "function", "function": {"name": action.tool_name, "arguments": action.arguments}}
                obs, reward, done, info = self._step({"role": "assistant", "content": "", "tool_calls": [call]})
                return CallToolObservation(tool_name=action.tool_name, result=obs[-1]["content"], reward=reward,
                                           done=done, metadata={"info": info})
            if not isinstance(action, ToolgymAction):
                raise ToolgymError(f"unknown action {type(action).__name__}; send a turn, list_tools or call_tool")
            obs, reward, done, info = self._step({"role": "assistant", "content": action.content,
                                                  "tool_calls": action.tool_calls})
            return ToolgymObservation(messages=obs, tools=self._tools, info=info, reward=reward, done=done)

        def _step(self, message: dict[str, Any]) -> tuple[list[dict[str, Any]], float, bool, dict[str, Any]]:
            obs, reward, terminated, truncated, info = self._env.step(message)
            self._done = terminated or truncated
            self._state.step_count += 1
            return obs, reward, self._done, info

        @property
        def state(self) -> ToolgymState:
            return self._state

        def close(self) -> None:
            self._env.close()


def _mcp_tool(tool: dict[str, Any]) -> Tool:
    function = tool["function"]
    return Tool(name=function["name"], description=function.get("description", ""),
                input_schema=function.get("parameters", {"type": "object"}))


def create_toolgym_app(env_id: str, *, max_sessions: int = DEFAULT_MAX_SESSIONS, **make_kwargs: Any) -> Any:
    """The OpenEnv FastAPI app serving `env_id` (keyword arguments go to `gym.make`, e.g. `reward="ftrl"`)."""
    if Environment is None:
        raise MissingDependencyError("openenv", "openenv")
    from toolgym.cli.interactive import make_env

    make_env(env_id, make_kwargs.get("split")).close()  # an unknown id fails here, not in every session
    return create_app(lambda: ToolgymEnvironment(env_id, **make_kwargs), ToolgymAction, ToolgymObservation,
                      env_name=env_id.replace("/", "-"), max_concurrent_envs=max_sessions, state_cls=ToolgymState)


def serve(env_id: str, *, host: str = "127.0.0.1", port: int = 8000, max_sessions: int = DEFAULT_MAX_SESSIONS,
          **make_kwargs: Any) -> None:
    """Serve `env_id` until interrupted."""
    app = create_toolgym_app(env_id, max_sessions=max_sessions, **make_kwargs)
    import uvicorn  # installed with openenv

    uvicorn.run(app, host=host, port=port, log_level="warning")

"""A policy behind any OpenAI-compatible `/v1/chat/completions` server (vLLM, SGLang, `transformers serve`, ...),
through the real `openai` package's async client.

Retries: the client's own bounded retries with exponential backoff (429, 5xx, timeouts, dropped connections).
What is left after them ends the episode with a reason (`server_error`, `timeout`, `context_overflow`), except an
unreachable server or a refused key, which end the run (`RunAborted`): no later episode could do better.
Native `tool_calls` are used when the server returns them; otherwise the raw text goes to the env's parser.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from toolgym.errors import MissingDependencyError
from toolgym.rollout.messages import tools_system_message, with_tools_prompt
from toolgym.rollout.policy import (CONTEXT_OVERFLOW, SERVER_ERROR, TIMEOUT, EpisodeContext, EpisodeStop,
                                    RunAborted, Turn)

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_RETRIES = 3
# How servers word a prompt that does not fit (OpenAI, vLLM, SGLang, TGI, llama.cpp).
_CONTEXT_WORDS = re.compile(r"context.length|maximum context|context window|too many tokens|prompt is too long|"
                            r"exceeds the (model|max)|input is too long", re.IGNORECASE)


class OpenAIPolicy:
    """Chat completions from `model` at `base_url`.

    `tools_prompt`: a prompt style (`"hermes"`, ...) writes the tool list into a system message for servers
    whose chat template ignores `tools=`; None sends `tools=` only. `send_tools`: pass `tools=` to the server.
    The API key is read by the caller (from an environment variable) and never stored in a trajectory.
    """

    def __init__(self, model: str, base_url: str, *, api_key: str = "EMPTY", temperature: float = 0.0,
                 max_tokens: int | None = None, tools_prompt: str | None = None, send_tools: bool = True,
                 timeout: float = DEFAULT_TIMEOUT_S, max_retries: int = DEFAULT_RETRIES,
                 extra_body: Mapping[str, Any] | None = None) -> None:
        openai = require_openai()
        self._openai = openai
        self.client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout,
                                         max_retries=max_retries)
        self.name = model
        self.model, self.base_url = model, base_url
        self.temperature, self.max_tokens = temperature, max_tokens
        self.tools_prompt, self.send_tools = tools_prompt, send_tools
        self.extra_body = dict(extra_body or {})
        if tools_prompt is not None:
            tools_system_message([], tools_prompt)  # an unknown style fails here, not at the first turn

    async def act(self, context: EpisodeContext) -> Turn:
        request: dict[str, Any] = {
            "model": self.model, "temperature": self.temperature,
            "messages": with_tools_prompt(context.messages, context.tools, self.tools_prompt)}
        if self.max_tokens is not None:
            request["max_tokens"] = self.max_tokens
        if self.temperature > 0:  # the episode's seed: servers that honour it replay a sampled episode exactly
            request["seed"] = context.seed
        if self.send_tools:
            request["tools"] = context.tools
        if self.extra_body:
            request["extra_body"] = self.extra_body
        started = time.perf_counter()
        completion = await self._create(request)
        return _turn(completion, time.perf_counter() - started)

    async def _create(self, request: dict[str, Any]) -> Any:
        openai = self._openai
        try:
            return await self.client.chat.completions.create(**request)
        except openai.APITimeoutError as e:  # a subclass of APIConnectionError: test it first
            raise EpisodeStop(TIMEOUT, f"no response within {self.client.timeout} s ({e})") from e
        except openai.APIConnectionError as e:
            raise RunAborted(f"cannot reach the server at {self.base_url}: {e.__cause__ or e}") from e
        except (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as e:
            raise RunAborted(f"the server at {self.base_url} refused the request "
                             f"({e.status_code}): {_message(e)}") from e
        except openai.APIStatusError as e:
            reason = CONTEXT_OVERFLOW if _CONTEXT_WORDS.search(_message(e)) else SERVER_ERROR
            raise EpisodeStop(reason, f"HTTP {e.status_code}: {_message(e)}") from e

    async def aclose(self) -> None:
        await self.client.close()


def require_openai() -> Any:
    """The `openai` module, or the error naming the extra to install."""
    try:
        import openai
    except ImportError:
        raise MissingDependencyError("openai", "llm") from None
    return openai


def _message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, Mapping) else inner
        if message:
            return " ".join(str(message).split())[:300]
    return " ".join(str(error).split())[:300]


def _turn(completion: Any, latency: float) -> Turn:
    """The `Turn` of a chat completion: native tool calls when present, else the raw text for the parser."""
    choices = getattr(completion, "choices", None)
    if not choices:
        raise EpisodeStop(SERVER_ERROR, "the server returned no choices")
    choice = choices[0]
    message = choice.message
    usage = getattr(completion, "usage", None)
    text = message.content or ""
    refusal = getattr(message, "refusal", None)
    counts = {"prompt_tokens": getattr(usage, "prompt_tokens", 0) or 0,
              "completion_tokens": getattr(usage, "completion_tokens", 0) or 0,
              "latency_s": latency, "finish_reason": choice.finish_reason}
    if refusal:
        return Turn({"role": "assistant", "content": refusal}, refusal, refusal=True, **counts)
    if choice.finish_reason == "content_filter":
        return Turn({"role": "assistant", "content": text}, text, refusal=True, **counts)
    action: Any = text
    if message.tool_calls:
        calls = [call.model_dump(exclude_none=True) for call in message.tool_calls]
        action = {"role": "assistant", "content": text, "tool_calls": calls}
        reasoning = getattr(message, "reasoning_content", None)
        if isinstance(reasoning, str):
            action["reasoning_content"] = reasoning
    return Turn(action, text, **counts)

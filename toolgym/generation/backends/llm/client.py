"""One stage request to an OpenAI-compatible server: the real `openai` client, a disk cache, JSON replies parsed
into a pydantic model, and a bounded retry that feeds the problem back to the model.

Retry policy, by failure:

- connection refused, 429, 5xx, a timeout: the `openai` client's own bounded retries with exponential backoff
  (`max_retries`; it honours `retry-after`). What is left after them: an unreachable server, or a refused key or
  model (401/403/404), raises `LLMUnavailable` (the run stops, keeping what it made); a 429, 5xx, other 4xx or
  timeout rejects the task as `ServerFailed` (reason `server_429`, `server_500`, `timeout`, ...).
- a reply that is not JSON, is cut off (`finish_reason == "length"`), is empty, or does not validate against the
  stage's model or checks: the reply and the problem go back to the model as the next turn, at most
  `format_retries` times (sampled at `RETRY_TEMPERATURE` or warmer, with a seed: a greedy reply tends to repeat
  itself); then the task is rejected as `invalid_<stage>`.

Every completion (fresh or cached) is cached by its request, so a retry chain replays identically on a re-run.

Structured output: with `structured=True` each request carries `response_format` (`json_schema`, the stage's
reply model's JSON Schema, not strict), which servers with guided decoding (vLLM, SGLang, hosted APIs) enforce.
A server that refuses the field (400 or 422) gets the request again without it, and the client stops sending it
(`structured` becomes False; the manifest records it). `transformers serve` accepts the field and ignores it
(it logs "Ignoring unsupported fields"), so its replies are only as good as the prompt; they are checked the same.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from toolgym.errors import MissingDependencyError
from toolgym.generation.backends.llm import prompts
from toolgym.generation.backends.llm.cache import RequestCache, request_key
from toolgym.generation.backends.llm.errors import LLMRejected, LLMUnavailable, ServerFailed

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_RETRIES = 3          # transport retries, by the openai client
DEFAULT_FORMAT_RETRIES = 2   # replies that cannot be used, fed back to the model
DEFAULT_MAX_TOKENS = 1024
# A request after feedback samples at least this warm: a greedy model given its own reply and a complaint often
# repeats the reply word for word. The request (temperature and seed included) is still the cache key.
RETRY_TEMPERATURE = 0.7
MAX_FEEDBACK_CHARS = 600     # a pydantic error list can be long; the model needs the first problems
REFUSED_FORMAT = ("server_400", "server_422")  # how a server says it does not take `response_format`

Reply = TypeVar("Reply", bound=BaseModel)


class ReplyProblem(ValueError):
    """A parsed reply breaks a stage's check; its message goes back to the model."""


def raise_problems(problems: list[str]) -> None:
    """A stage check's end: the problems found, as one `ReplyProblem` (none: the reply passes)."""
    if problems:
        raise ReplyProblem("; ".join(problems))


@dataclass
class Usage:
    """What a run asked of the server (thread-safe counters; `as_dict` for the manifest)."""

    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    invalid_replies: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return {"requests": self.requests, "cache_hits": self.cache_hits, "prompt_tokens": self.prompt_tokens,
                    "completion_tokens": self.completion_tokens, "invalid_replies": self.invalid_replies}


def parse_json_object(text: str) -> Any:
    """The JSON object in a reply: the whole text, or the span from its first `{` to its last `}` (models wrap
    JSON in prose or code fences); raises `ReplyProblem` naming what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise ReplyProblem("the reply was empty")
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        pass
    start, end = stripped.find("{"), stripped.rfind("}")
    if start < 0 or end <= start:
        raise ReplyProblem("the reply contains no JSON object")
    try:
        return json.loads(stripped[start:end + 1])
    except RecursionError:
        raise ReplyProblem("the JSON is nested too deeply") from None
    except ValueError as e:
        raise ReplyProblem(f"the reply is not valid JSON ({e})") from None


def describe_validation(error: ValidationError) -> str:
    """Pydantic's errors as one line: `location: message; ...`."""
    parts = [f"{'.'.join(str(x) for x in e['loc']) or 'reply'}: {e['msg']}" for e in error.errors()]
    return "; ".join(parts)


def require_openai() -> Any:
    try:
        import openai
    except ImportError:
        raise MissingDependencyError("openai", "llm") from None
    return openai


class LLMClient:
    """Stage requests to `model` at `base_url` (API key from the caller, e.g. `$OPENAI_API_KEY`)."""

    def __init__(self, model: str, base_url: str, *, api_key: str = "EMPTY", timeout: float = DEFAULT_TIMEOUT_S,
                 max_retries: int = DEFAULT_RETRIES, format_retries: int = DEFAULT_FORMAT_RETRIES,
                 max_tokens: int = DEFAULT_MAX_TOKENS, temperature: float = 0.0,
                 cache: RequestCache | None = None, structured: bool = True) -> None:
        for label, value in (("timeout", timeout), ("max_tokens", max_tokens)):
            if not value > 0:
                raise ValueError(f"{label} must be positive, got {value!r}")
        for label, value in (("max_retries", max_retries), ("format_retries", format_retries)):
            if value < 0:
                raise ValueError(f"{label} must be >= 0, got {value!r}")
        self._openai = require_openai()
        self.client = self._openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout,
                                          max_retries=max_retries)
        self.model, self.base_url, self.max_retries = model, base_url, max_retries
        self.format_retries, self.max_tokens, self.temperature = format_retries, max_tokens, temperature
        self.cache, self.usage = cache, Usage()
        self.structured = structured  # send response_format (cleared when the server refuses it)

    def ask(self, stage: str, messages: list[dict[str, str]], reply_model: type[Reply],
            check: Callable[[Reply], None] | None = None, feedback_kind: str = "invalid") -> Reply:
        """The model's reply to `messages`, parsed into `reply_model` and passing `check` (which raises
        `ReplyProblem`); an unusable reply is fed back up to `format_retries` times, then `LLMRejected`."""
        problem = ""
        response_format = {"type": "json_schema", "json_schema": {
            "name": stage, "schema": reply_model.model_json_schema(), "strict": False}}
        for retry in range(self.format_retries + 1):
            text, finish_reason = self.complete(messages, retry, response_format)
            try:
                if finish_reason == "length":
                    raise ReplyProblem(f"the reply was cut off at {self.max_tokens} tokens; answer with shorter "
                                       "JSON")
                reply = reply_model.model_validate(parse_json_object(text))
                if check is not None:
                    check(reply)
                return reply
            except ValidationError as e:
                problem = describe_validation(e)
            except ReplyProblem as e:
                problem = str(e)
            self.usage.add(invalid_replies=1)
            messages = [*messages, {"role": "assistant", "content": text},
                        prompts.feedback(feedback_kind, problem[:MAX_FEEDBACK_CHARS])]
        raise LLMRejected(f"invalid_{stage}", f"no usable reply after {self.format_retries + 1} tries; last "
                                              f"problem: {problem[:MAX_FEEDBACK_CHARS]}")

    def complete(self, messages: list[dict[str, str]], retry: int = 0,
                 response_format: dict[str, Any] | None = None) -> tuple[str, str | None]:
        """The reply text to `messages` and its finish reason (from the cache when this exact request was
        answered before); `retry` > 0 samples warmer, seeded by the retry number; `response_format` is sent
        while the server accepts it (see the module docstring)."""
        request: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature,
                                   "max_tokens": self.max_tokens}
        if retry:
            request.update(temperature=max(self.temperature, RETRY_TEMPERATURE), seed=retry)
        if response_format is not None and self.structured:
            try:
                return self._cached(request | {"response_format": response_format})
            except ServerFailed as e:
                if e.reason not in REFUSED_FORMAT:
                    raise
                self.structured = False  # other threads may still send it once: each falls back alike
        return self._cached(request)

    def _cached(self, request: dict[str, Any]) -> tuple[str, str | None]:
        key = request_key(request)
        entry = self.cache.get(key) if self.cache is not None else None
        if entry is not None:
            self.usage.add(cache_hits=1)
        else:
            entry = self._request(request)
            if self.cache is not None:
                self.cache.put(key, entry)
        return str(entry.get("content") or ""), entry.get("finish_reason")

    def _request(self, request: dict[str, Any]) -> dict[str, Any]:
        openai = self._openai
        try:
            completion = self.client.chat.completions.create(**request)
        except openai.APITimeoutError as e:  # a subclass of APIConnectionError: test it first
            raise ServerFailed("timeout", f"no reply within {self.client.timeout} s after "
                                          f"{self.max_retries} retries") from e
        except openai.APIConnectionError as e:
            raise LLMUnavailable(f"cannot reach the server at {self.base_url} after {self.max_retries} retries: "
                                 f"{e.__cause__ or e}") from e
        except (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as e:
            raise LLMUnavailable(f"the server at {self.base_url} refused model {self.model!r} "
                                 f"({e.status_code}): {e.message}") from e
        except openai.APIStatusError as e:
            raise ServerFailed(f"server_{e.status_code}", f"the server answered {e.status_code} after "
                                                          f"{self.max_retries} retries: {e.message}") from e
        usage = completion.usage
        self.usage.add(requests=1, prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                       completion_tokens=getattr(usage, "completion_tokens", 0) or 0)
        choice = completion.choices[0] if completion.choices else None
        content = choice.message.content if choice is not None else None
        return {"content": content or "", "finish_reason": getattr(choice, "finish_reason", None),
                "usage": usage.model_dump() if usage is not None else None}

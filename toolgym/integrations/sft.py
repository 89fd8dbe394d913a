"""SFT data from oracle trajectories: conversations with their tools, or token ids with an assistant mask.

A conversation is the whole oracle episode of a task (opening messages, every gold tool turn with its results,
the final answer) in Hugging Face chat form: tool-call arguments are dicts, as chat templates expect. Given a
tokenizer, a conversation is rendered through its chat template with the tools, and `assistant_mask` marks the
tokens the model must write: each assistant turn after its generation prompt, up to and including the template's
end-of-turn text. The mask is computed from the template itself (rendering each prefix with
`add_generation_prompt=True`), so it needs no `{% generation %}` markers and works with any template that
renders prefixes stably.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from toolgym.errors import MissingDependencyError, ToolgymError


def oracle_conversations(env_ids: Sequence[str], n: int, *, split: str | None = None) -> Iterator[dict[str, Any]]:
    """For each id, the oracle episodes of tasks 0..n-1: `{"task_id", "messages", "tools"}` (HF chat form)."""
    from toolgym.cli.interactive import make_env

    for env_id in env_ids:
        env = make_env(env_id, split)
        try:
            for seed in range(n):
                obs, info = env.reset(seed=seed)
                for action in env.unwrapped.oracle_actions():
                    obs, _, terminated, truncated, step_info = env.step(action)
                if not step_info["answer_correct"]:
                    raise ToolgymError(f"{env_id} task {seed}: the oracle's answer was judged wrong; "
                                       "run `toolgym validate` on the task")
                yield {"task_id": info["task_id"], "messages": [hf_message(m) for m in obs], "tools": info["tools"]}
        finally:
            env.close()


def hf_message(message: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-form message with its tool-call arguments decoded to dicts (the form chat templates render)."""
    if "tool_calls" not in message:
        return dict(message)
    calls = [{**c, "function": {"name": c["function"]["name"],
                                "arguments": json.loads(c["function"]["arguments"])}}
             for c in message["tool_calls"]]
    return {**message, "tool_calls": calls}


def render_with_mask(tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                     ) -> dict[str, Any]:
    """`{"input_ids", "assistant_mask", "text"}`: `messages` rendered by `tokenizer`'s chat template with `tools`;
    mask 1 on the tokens of assistant turns. Needs a fast tokenizer (character offsets)."""
    if not getattr(tokenizer, "is_fast", False):
        raise ToolgymError("render_with_mask needs a fast tokenizer (it maps tokens to characters); "
                           "load it with AutoTokenizer.from_pretrained(path) and use_fast=True")
    text = _render(tokenizer, messages, tools, generation_prompt=False)
    spans = list(_assistant_spans(tokenizer, messages, tools, text))
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    mask = [int(any(start <= a and b <= end for start, end in spans) and b > a)
            for a, b in encoded["offset_mapping"]]
    return {"input_ids": list(encoded["input_ids"]), "assistant_mask": mask, "text": text}


def _render(tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, *,
            generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tools=tools, tokenize=False,
                                         add_generation_prompt=generation_prompt)


def _assistant_spans(tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                     text: str) -> Iterator[tuple[int, int]]:
    """The character span of each assistant turn in `text`: from the end of the generation prompt before it to
    the end of the rendering that includes it."""
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        prompt = _render(tokenizer, messages[:i], tools, generation_prompt=True)
        through = _render(tokenizer, messages[:i + 1], tools, generation_prompt=False)
        if not (text.startswith(prompt) and text.startswith(through) and len(through) > len(prompt)):
            raise ToolgymError(f"the chat template does not render message {i}'s prefix stably (it rewrites "
                               "earlier turns), so the assistant mask cannot be read off it")
        yield len(prompt), len(through)


def load_tokenizer(path: str) -> Any:
    """A Hugging Face tokenizer from a local directory (no download)."""
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise MissingDependencyError("transformers", "sft") from None
    try:
        return AutoTokenizer.from_pretrained(path, local_files_only=True)
    except OSError as e:
        raise ToolgymError(f"cannot load a tokenizer from {path!r}: {e}") from None

"""A local transformers model as a policy: concurrent episodes' turns are batched into one `generate` call, and
every turn keeps its prompt and completion token ids (what a trainer needs, never re-tokenized).

Batching: `act` tokenizes the prompt and queues it; one drain task gathers up to `batch_size` queued prompts
(waiting `batch_wait_s` for stragglers), left-pads them and generates in a worker thread, so the event loop keeps
stepping envs meanwhile. Prompts are built with the model's chat template on HF-form messages (dict arguments,
see `toolgym.rollout.messages`), with the tools in a system message in the parser's convention.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from toolgym.errors import MissingDependencyError
from toolgym.rollout.attention import use_grouped_attention
from toolgym.rollout.local_models import model_dir
from toolgym.rollout.messages import to_hf_messages, with_tools_prompt
from toolgym.rollout.policy import CONTEXT_OVERFLOW, EpisodeContext, EpisodeStop, Turn

DEFAULT_MAX_TOKENS = 256
DEFAULT_BATCH_SIZE = 8
BATCH_WAIT_S = 0.005  # long enough for the other episodes' turns of the same round to join the batch
_DEFAULTS = {"temperature": 0.0, "max_tokens": DEFAULT_MAX_TOKENS, "tools_prompt": "hermes",
             "batch_size": DEFAULT_BATCH_SIZE, "batch_wait_s": BATCH_WAIT_S, "seed": 0}


@dataclass
class _Request:
    prompt_ids: list[int]
    future: asyncio.Future[Turn]
    queued: float


class LocalPolicy:
    """Greedy (temperature 0) or sampled generation from a local model: a name from `local_models.MODELS`
    (`smollm2-135m`) or a HF model directory.

    >>> policy = LocalPolicy("smollm2-135m", max_tokens=128)     # doctest: +SKIP
    """

    def __init__(self, model: str, *, temperature: float = 0.0, max_tokens: int = DEFAULT_MAX_TOKENS,
                 tools_prompt: str | None = "hermes", batch_size: int = DEFAULT_BATCH_SIZE,
                 batch_wait_s: float = BATCH_WAIT_S, seed: int = 0) -> None:
        try:
            import torch  # noqa: F401  (checked here: the error names the extra)
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:
            raise MissingDependencyError(e.name or "transformers", "local") from None
        path = model_dir(model)
        loaded = use_grouped_attention(AutoModelForCausalLM.from_pretrained(path).eval())
        self._setup(loaded, AutoTokenizer.from_pretrained(path), model, temperature=temperature,
                    max_tokens=max_tokens, tools_prompt=tools_prompt, batch_size=batch_size,
                    batch_wait_s=batch_wait_s, seed=seed)

    @classmethod
    def of(cls, model: Any, tokenizer: Any, name: str, **settings: Any) -> LocalPolicy:
        """A policy over an already loaded model (a trainer samples from the model it trains)."""
        policy = cls.__new__(cls)
        policy._setup(model, tokenizer, name, **{**_DEFAULTS, **settings})
        return policy

    def _setup(self, model: Any, tokenizer: Any, name: str, *, temperature: float, max_tokens: int,
               tools_prompt: str | None, batch_size: int, batch_wait_s: float, seed: int) -> None:
        import torch
        self._torch = torch
        self.model, self.tokenizer, self.name = model, tokenizer, name
        self.temperature, self.max_tokens, self.tools_prompt = temperature, max_tokens, tools_prompt
        self.batch_size, self.batch_wait_s, self.seed = batch_size, batch_wait_s, seed
        self.context_length = getattr(self.model.config, "max_position_embeddings", None)
        self._queue: list[_Request] = []
        self._drain: asyncio.Task[None] | None = None
        self.batches: list[int] = []  # the size of every batch generated: batching is observable

    def prompt_ids(self, context: EpisodeContext) -> list[int]:
        """The token ids of the prompt for the next turn (chat template, generation prompt appended)."""
        messages = to_hf_messages(with_tools_prompt(context.messages, context.tools, self.tools_prompt))
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    async def act(self, context: EpisodeContext) -> Turn:
        ids = self.prompt_ids(context)
        if self.context_length is not None and len(ids) + self.max_tokens > self.context_length:
            raise EpisodeStop(CONTEXT_OVERFLOW, f"prompt of {len(ids)} tokens + {self.max_tokens} new tokens "
                                                f"exceeds the model's {self.context_length}")
        future: asyncio.Future[Turn] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request(ids, future, time.perf_counter()))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.ensure_future(self._drain_queue())
        return await future

    async def _drain_queue(self) -> None:
        while self._queue:
            if len(self._queue) < self.batch_size:
                await asyncio.sleep(self.batch_wait_s)
            batch, self._queue = self._queue[: self.batch_size], self._queue[self.batch_size:]
            self.batches.append(len(batch))
            try:
                turns = await asyncio.to_thread(self._generate, [r.prompt_ids for r in batch])
            except Exception as e:  # noqa: BLE001 -- handed to the episodes waiting on this batch
                for request in batch:
                    request.future.set_exception(e)
                continue
            for request, turn in zip(batch, turns):
                latency = time.perf_counter() - request.queued
                request.future.set_result(Turn(**{**turn.__dict__, "latency_s": latency}))

    def _generate(self, prompts: list[list[int]]) -> list[Turn]:
        torch = self._torch
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else \
            self.tokenizer.eos_token_id
        width = max(map(len, prompts))
        device = self.model.device
        input_ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=device)
        attention = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
        sampling: dict[str, Any] = {"do_sample": False}
        if self.temperature > 0:
            torch.manual_seed(self.seed + len(self.batches))
            sampling = {"do_sample": True, "temperature": self.temperature}
        # bf16 autocast on CUDA (set here: autocast is per thread, and generation runs in a worker thread)
        with torch.inference_mode(), torch.autocast("cuda", torch.bfloat16, enabled=device.type == "cuda"):
            cache = self._shared_prefill(input_ids, attention, prompts)
            output = self.model.generate(input_ids=input_ids, attention_mask=attention, pad_token_id=pad,
                                         max_new_tokens=self.max_tokens, past_key_values=cache, **sampling)
        return [self._turn(prompt, row[width:].tolist()) for prompt, row in zip(prompts, output)]

    def _shared_prefill(self, input_ids: Any, attention: Any, prompts: list[list[int]]) -> Any:
        """When prompts repeat (G samples of one state, a group's first turns), the KV cache of every prompt but
        its last token, computed once per distinct prompt and repeated into the batch's rows; `generate` then
        starts at the last token. None when every prompt is distinct (`generate` prefills as usual)."""
        distinct = {p: i for i, p in enumerate(dict.fromkeys(map(tuple, prompts)))}
        if len(distinct) == len(prompts):
            return None
        torch = self._torch
        first = [prompts.index(list(p)) for p in distinct]  # a row holding each distinct prompt
        ids, mask = input_ids[first, :-1], attention[first, :-1]
        positions = (mask.long().cumsum(-1) - 1).clamp(min=0)  # as `generate` numbers left-padded rows
        cache = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                           logits_to_keep=1).past_key_values
        cache.batch_select_indices(torch.tensor([distinct[tuple(p)] for p in prompts], device=input_ids.device))
        return cache

    def _turn(self, prompt: list[int], generated: list[int]) -> Turn:
        eos = self.tokenizer.eos_token_id
        stopped = eos in generated
        completion = generated[: generated.index(eos) + 1] if stopped else generated
        text = self.tokenizer.decode(completion, skip_special_tokens=True)
        return Turn(text, text, prompt_tokens=len(prompt), completion_tokens=len(completion),
                    finish_reason="stop" if stopped else "length", prompt_ids=prompt, completion_ids=completion)

"""What the local model's three shortcuts buy, each against its baseline in the same process (medians over rounds).

1. Grouped attention (`toolgym.rollout.attention`) against transformers' `sdpa`: greedy generation of a batch of
   real first-turn prompts (level-1 ids, the tools prompt rendered as evaluation renders it).
2. A prompt shared by a batch prefilled once (`LocalPolicy._shared_prefill`) against prefilling every row: G
   samples of each of a few real prompts, as `--mode states` samples them.
3. A shared prompt run once in the training pass (`make_batch`'s shared layout) against G separate rows: the log-
   probabilities and their gradient for G completions of one prompt.

Every figure is SmolLM2-135M-Instruct (the `local` extra) on CPU with `--threads` torch threads. Usage:
`python benchmarks/local_model.py [--rounds 3] [--batch 16] [--tokens 48] [--group 4]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from toolgym.rollout.local_policy import LocalPolicy
from toolgym.rollout.runner import make_env
from toolgym.train.loss import make_batch, token_logprobs
from toolgym.train.models import import_torch, load
from toolgym.train.sequences import TrainSequence

SOURCES = tuple(f"ToolEnv/{d}-L1" for d in ("travel", "weather", "finance", "shopping", "health"))


def first_prompts(policy: LocalPolicy, n: int) -> list[list[int]]:
    """The first-turn prompt ids of `n` train tasks, the sources in turn."""
    from toolgym.rollout.policy import EpisodeContext
    prompts = []
    for i in range(n):
        env = make_env(SOURCES[i % len(SOURCES)])
        obs, info = env.reset(seed=i)
        prompts.append(policy.prompt_ids(EpisodeContext(obs, info["tools"], env.unwrapped.task, 0, 0)))
        env.close()
    return prompts


def timed(run: Callable[[], Any], rounds: int) -> float:
    run()  # warm-up: allocator, kernels
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report(name: str, baseline: float, new: float, unit: str) -> None:
    print(f"{name:<44} {baseline:8.2f} {unit} -> {new:8.2f} {unit}   x{baseline / new:.2f}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--tokens", type=int, default=48)
    p.add_argument("--group", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch = import_torch()
    torch.set_num_threads(args.threads)
    grouped, tokenizer = load("smollm2-135m")
    plain, _ = load("smollm2-135m")
    plain.set_attn_implementation("sdpa")
    policy = LocalPolicy.of(grouped.eval(), tokenizer, "smollm2-135m", max_tokens=args.tokens)
    prompts = first_prompts(policy, args.batch)
    print(f"prompts: {args.batch}, {min(map(len, prompts))}-{max(map(len, prompts))} tokens; "
          f"{args.tokens} new tokens; {args.threads} threads", flush=True)

    def generate(model: Any, rows: list[list[int]]) -> Callable[[], Any]:
        width, pad = max(map(len, rows)), tokenizer.pad_token_id
        ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows])
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
        return lambda: model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=args.tokens,
                                      min_new_tokens=args.tokens, do_sample=False, pad_token_id=pad)

    with torch.inference_mode():
        report("1. generation, sdpa -> grouped attention", timed(generate(plain.eval(), prompts), args.rounds),
               timed(generate(grouped.eval(), prompts), args.rounds), "s")
    states = [p for p in prompts[: args.batch // args.group] for _ in range(args.group)]
    shared = timed(lambda: policy._generate(states), args.rounds)
    policy._shared_prefill = lambda *a: None  # type: ignore[method-assign]
    report(f"2. sampling {len(states) // args.group} prompts x G={args.group}, prefill once",
           timed(lambda: policy._generate(states), args.rounds), shared, "s")
    completions = [tuple(range(1000 + 40 * g, 1040 + 40 * g)) for g in range(args.group)]
    sequences = [TrainSequence(tuple(prompts[0]), c, 1.0) for c in completions]
    grouped.train()

    def pass_(share: bool) -> Callable[[], None]:
        batch = make_batch(torch, sequences, tokenizer.pad_token_id, "cpu", share=share)
        return lambda: token_logprobs(grouped, batch)[0].sum().backward()

    report(f"3. training pass, G={args.group} x 40 tokens, prompt once", timed(pass_(False), args.rounds),
           timed(pass_(True), args.rounds), "s")


if __name__ == "__main__":
    main()

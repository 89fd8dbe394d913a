"""Does training teach? SmolLM2-135M-Instruct on level-1 ids of five domains: base, after SFT, after GRPO.

Each model is measured on the held-out `split="test"` catalog (20 tasks per id, 100 episodes, greedy) through the
same code as `toolgym eval --local` (`toolgym.rollout.evaluation.evaluate`), with 95 % bootstrap intervals over
episodes and a paired bootstrap interval of GRPO minus its starting point (the SFT model). Not part of CI.

    python benchmarks/learning.py                  # CPU, the default budget
    python benchmarks/learning.py --cuda           # a GPU: bf16 autocast and a larger budget
    python benchmarks/learning.py --grpo-steps 4 --eval-n 4     # a reduced run

The SFT warm start is deliberately short (one step): SFT saturates L1 within a few steps (0.77 solve rate after
six on catalog v1), which leaves GRPO no headroom and groups with equal rewards. GRPO then trains on per-turn states
(`--mode states`, the paper's shape: one sampled turn per state, so a sample costs one generation, not an
episode's), 20 steps at lr 1e-5, temperature 0.7, on the paper's reward (`--reward ftrl`). That reward matters: under
the strict default preset a call that errs costs -0.25 and a turn that answers without calling costs 0, so in the
many groups where every sample fails, the group normalisation can only push the model away from calling tools (3e-5
collapsed in two steps; 4 steps at 5e-6: 4 answers fixed and 2 broken on 71 episodes). Under `ftrl` both are 0 and
only a malformed call (-0.3) and a solved one differ. Evaluation always judges with the strict default preset.
Measured (README "Train a model"): answer accuracy +0.13 [+0.05, +0.21], beyond the interval; about 55 min on the
2 cores. Stages run in order SFT, its evaluation,
GRPO, its evaluation, then the base model's (the least informative figure last). Writes everything under --out
(default runs/learning): each stage's training run and evaluation directory, and `learning.json` /
`learning.md` with the table. Running the same command again resumes each unfinished stage where it stopped.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolgym.rollout.evaluation import TRAJECTORIES, EvalConfig, evaluate
from toolgym.rollout.local_policy import LocalPolicy
from toolgym.train.models import import_torch, resolve
from toolgym.train.trainer import TrainConfig, Trainer

SOURCES = tuple(f"ToolEnv/{d}-L1" for d in ("travel", "weather", "finance", "shopping", "health"))
FIGURES = (("solve rate", lambda t: t["metrics"]["solve_rate"]), ("Solve-F1", lambda t: t["metrics"]["solve_f1"]),
           ("answer acc", lambda t: float(t["answer_correct"])))
BOOTSTRAP = 2000
# CPU: ~55 min alone on 2 cores (an evaluation ~11 min, a states step ~85 s)
CPU_BUDGET = {"sft_steps": 1, "grpo_steps": 20, "tasks": 8, "group": 4, "eval_n": 20}
CUDA_BUDGET = {"sft_steps": 1, "grpo_steps": 60, "tasks": 16, "group": 8, "eval_n": 20}
SFT_TASKS = 4  # teacher episodes per SFT step


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--sources", nargs="+", default=list(SOURCES))
    p.add_argument("--cuda", action="store_true", help="train on CUDA in bf16 with the larger budget")
    for key in CPU_BUDGET:
        p.add_argument("--" + key.replace("_", "-"), type=int,
                       help=f"default: {CPU_BUDGET[key]} on CPU, {CUDA_BUDGET[key]} with --cuda")
    p.add_argument("--sft-lr", type=float, default=5e-5)
    p.add_argument("--grpo-lr", type=float, default=1e-5)
    p.add_argument("--algo", default="grpo")
    p.add_argument("--grpo-mode", default="states", choices=("states", "episodes"))
    p.add_argument("--epochs", type=int, default=1, help="GRPO inner epochs")
    p.add_argument("--temperature", type=float, default=0.7, help="GRPO sampling temperature")
    p.add_argument("--reward", default="ftrl", help="the reward preset GRPO trains on (evaluation always "
                   "measures with the strict default preset's answer judge)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--max-tokens", type=int, default=96)
    p.add_argument("--max-turns", type=int, default=5)
    p.add_argument("--out", type=Path, default=Path("runs/learning"))
    args = p.parse_args(argv)
    for key, value in (CUDA_BUDGET if args.cuda else CPU_BUDGET).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def train(args: argparse.Namespace, name: str, model: str, **settings: Any) -> tuple[str, list[dict[str, Any]]]:
    settings = {"tasks": args.tasks, **settings}
    config = TrainConfig(tuple(args.sources), model=model, max_tokens=args.max_tokens, max_turns=args.max_turns,
                         device="cuda" if args.cuda else "cpu", checkpoint_every=10_000, **settings)
    trainer = Trainer(config, args.out / name)
    logged = trainer.run()
    for record in logged:
        print(f"  {name} step {record['step']}: reward {record['reward']:.3f} solve {record['solve_rate']:.3f} "
              f"acc {record['answer_accuracy']:.3f} kl {record['kl']:.4f} gen {record['generated_tokens_per_s']}"
              f" tok/s train {record['train_tokens_per_s']} tok/s", flush=True)
    return str(trainer.latest_checkpoint()), logged


def measure(args: argparse.Namespace, name: str, model: str) -> list[dict[str, Any]]:
    """Greedy evaluation on the test split, through `toolgym eval`'s code; the trajectories."""
    model = str(resolve(model))  # `tiny` is a name of the trainer's; eval takes its directory
    config = EvalConfig(tuple(args.sources), model=model, n=args.eval_n, split="test", max_turns=args.max_turns,
                        max_tokens=args.max_tokens, backend="local", concurrency=16)
    policy = LocalPolicy(model, max_tokens=args.max_tokens, batch_size=16)
    if args.cuda:
        policy.model.to("cuda")
    evaluate(config, policy, args.out / f"eval-{name}", progress=None)
    lines = (args.out / f"eval-{name}" / TRAJECTORIES).read_text().splitlines()
    return sorted((json.loads(line) for line in lines if line.strip()), key=lambda t: t["key"])


def bootstrap(values: Sequence[float], rng: random.Random) -> tuple[float, float, float]:
    """(mean, 2.5 %, 97.5 %) of the mean over episodes, by resampling episodes."""
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(BOOTSTRAP))
    return sum(values) / n, means[int(0.025 * BOOTSTRAP)], means[int(0.975 * BOOTSTRAP) - 1]


def table(results: dict[str, list[dict[str, Any]]], start: str, end: str) -> tuple[str, dict[str, Any]]:
    rng = random.Random(0)
    rows = ["| model | episodes | " + " | ".join(name for name, _ in FIGURES) + " |",
            "|---|---|" + "---|" * len(FIGURES)]
    figures: dict[str, Any] = {}
    for stage, trajectories in results.items():
        cells = []
        for name, get in FIGURES:
            mean, low, high = bootstrap([get(t) for t in trajectories], rng)
            figures.setdefault(stage, {})[name] = [round(mean, 4), round(low, 4), round(high, 4)]
            cells.append(f"{mean:.3f} [{low:.3f}, {high:.3f}]")
        rows.append(f"| {stage} | {len(trajectories)} | " + " | ".join(cells) + " |")
    rows.append(f"| {end} - {start} (paired) | | " + " | ".join(
        _paired(results[start], results[end], get, rng, figures, name) for name, get in FIGURES) + " |")
    return "\n".join(rows) + "\n", figures


def _paired(before: list[dict[str, Any]], after: list[dict[str, Any]], get: Callable[[dict[str, Any]], float],
            rng: random.Random, figures: dict[str, Any], name: str) -> str:
    by_key = {t["key"]: get(t) for t in before}
    diffs = [get(t) - by_key[t["key"]] for t in after if t["key"] in by_key]
    mean, low, high = bootstrap(diffs, rng)
    figures.setdefault("gain", {})[name] = [round(mean, 4), round(low, 4), round(high, 4)]
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]" + (" **beats the interval**" if low > 0 else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch = import_torch()
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    results, logs = {}, {}
    sft, logs["sft"] = train(args, "sft", args.model, mode="sft", steps=args.sft_steps, lr=args.sft_lr,
                             tasks=SFT_TASKS)
    results["SFT"] = measure(args, "sft", sft)
    grpo, logs["grpo"] = train(args, "grpo", sft, mode=args.grpo_mode, algo=args.algo, steps=args.grpo_steps,
                               group=args.group, lr=args.grpo_lr, epochs=args.epochs,
                               temperature=args.temperature, reward=args.reward)
    results["SFT + GRPO"] = measure(args, "grpo", grpo)
    print(f"base: evaluating {args.model}", flush=True)
    results = {"base": measure(args, "base", args.model), **results}  # the table's first row
    text, figures = table(results, "SFT", "SFT + GRPO")
    wall = time.perf_counter() - started
    rates = {stage: _mean([r["generated_tokens_per_s"] for r in log]) for stage, log in logs.items()
             if log and stage != "sft"}  # SFT generates nothing: its turns are the teacher's
    note = (f"\n{len(args.sources)} ids x {args.eval_n} test tasks, greedy, max {args.max_tokens} new tokens; "
            f"SFT {args.sft_steps} steps x {SFT_TASKS} tasks (lr {args.sft_lr}), {args.algo} over {args.grpo_mode} "
            f"{args.grpo_steps} steps x {args.tasks} x G={args.group} (lr {args.grpo_lr}, {args.epochs} epochs, "
            f"reward {args.reward}, temperature {args.temperature}); "
            f"sampling tokens/s: " + ", ".join(f"{k} {v:.0f}" for k, v in rates.items()) +
            f"; wall {wall / 60:.1f} min ({'cuda bf16' if args.cuda else 'cpu fp32'})\n")
    print("\n" + text + note)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "learning.md").write_text(text + note)
    (args.out / "learning.json").write_text(json.dumps({"figures": figures, "tokens_per_s": rates,
                                                         "wall_s": round(wall, 1), "args": {
                                                             k: str(v) for k, v in vars(args).items()}}, indent=2))
    return 0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())

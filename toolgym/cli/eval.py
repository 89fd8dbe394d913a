"""`toolgym eval`: play a model (served, or local with `--local`) on ids or task files and report like a benchmark."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from toolgym.errors import ToolgymError

if TYPE_CHECKING:
    from toolgym.rollout.evaluation import EvalConfig
    from toolgym.rollout.policy import Policy

FTRL_PROTOCOL = {"temperature": 0.0, "max_turns": 20, "reward": "ftrl"}  # the paper's evaluation, in one flag


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="ID|FILE", help="registered ids (ToolEnv/travel-L1) or task files")
    p.add_argument("--model", required=True, help="the served model's name, or with --local a local model "
                                                  "(smollm2-135m) or a HF model directory")
    p.add_argument("--base-url", help="an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--local", action="store_true", help="play a local transformers model instead of a server")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY",
                   help="the environment variable holding the API key (never written out; default %(default)s)")
    p.add_argument("--n", type=int, default=20, help="tasks per source (default %(default)s)")
    p.add_argument("--k", type=int, default=1, help="samples per task, for pass@k (default %(default)s)")
    p.add_argument("--split", default="test", choices=["test", "train"],
                   help="for ids: the shipped test set (20 tasks each) or the generated stream")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--max-tokens", type=int, default=None, help="per completion")
    p.add_argument("--max-turns", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=8, help="episodes in flight (default %(default)s)")
    p.add_argument("--parser", default="hermes", help="hermes, llama3_json, mistral, pythonic, or auto")
    p.add_argument("--tools-in-prompt", default="auto",
                   help="write the tools into a system message: auto (the parser's convention), hermes, "
                        "llama3_json, mistral, pythonic, or none (the server's chat template renders tools=)")
    p.add_argument("--reward", default="default", help="reward preset: default or ftrl")
    p.add_argument("--protocol", choices=["ftrl"], help="ftrl: the paper's protocol (greedy, 20 turns, ftrl "
                                                        "reward, Solve-P/R/F1 macro-averaged over scenarios)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default %(default)s)")
    p.add_argument("--retries", type=int, default=3, help="retries per request on 429/5xx/timeouts")
    p.add_argument("--out", help="output directory (default: runs/eval-<model>); re-run to resume")
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="play on a Ray cluster (toolgym[ray]): ADDRESS to join one, none for a local one")
    p.add_argument("--ray-actors", type=int, default=2, help="Ray actors, each with its own policy and envs")
    p.add_argument("--plot", action="store_true", help="also write accuracy PNGs (needs toolgym[plot])")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from toolgym.rollout.evaluation import EvalConfig, evaluate

    settings = {"temperature": args.temperature, "max_turns": args.max_turns, "reward": args.reward}
    if args.protocol == "ftrl":
        settings = dict(FTRL_PROTOCOL)
    config = EvalConfig(sources=tuple(args.sources), model=args.model, n=args.n, k=args.k, split=args.split,
                        parser=args.parser, max_tokens=args.max_tokens, tools_in_prompt=args.tools_in_prompt,
                        backend="local" if args.local else "openai", concurrency=args.concurrency, **settings)
    out = Path(args.out or f"runs/eval-{_slug(args.model)}")
    factory = policy_factory(args, config)
    policy, runner = None, None
    if args.ray:
        from toolgym.rollout.ray_runner import RayRunner
        runner = RayRunner(factory, config.env_factory(), address=None if args.ray == "local" else args.ray,
                           actors=args.ray_actors, envs_per_actor=max(1, args.concurrency // args.ray_actors))
    else:
        policy = factory()
    result = evaluate(config, policy, out, progress=None if args.quiet else sys.stderr, runner=runner)
    print((out / "summary.md").read_text(), end="")
    if args.plot:
        from toolgym.rollout.plots import plot_summary
        for path in plot_summary(result.summary, out):
            print(f"wrote {path}")
    if result.aborted:
        print(f"toolgym eval: stopped early: {result.aborted}; {result.summary['overall']['episodes']} episodes "
              f"kept in {out}; re-run the same command to resume", file=sys.stderr)
        return 1
    return 0


def policy_factory(args: argparse.Namespace, config: EvalConfig) -> Callable[[], Policy]:
    """A picklable zero-argument builder of the run's policy (a Ray actor builds its own from it)."""
    from toolgym.rollout.messages import tools_prompt_style

    style = tools_prompt_style(args.tools_in_prompt, args.parser)
    if args.local:
        from toolgym.rollout.local_policy import DEFAULT_MAX_TOKENS, LocalPolicy
        return functools.partial(LocalPolicy, args.model, temperature=config.temperature, tools_prompt=style,
                                 max_tokens=args.max_tokens or DEFAULT_MAX_TOKENS, batch_size=args.concurrency)
    if not args.base_url:
        raise ToolgymError("--base-url is required (an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1), "
                           "or --local to play a local model")
    from toolgym.rollout.openai_policy import OpenAIPolicy, require_openai
    require_openai()  # fails here, in one line, not inside every Ray actor
    return functools.partial(OpenAIPolicy, args.model, args.base_url,
                             api_key=os.environ.get(args.api_key_env) or "EMPTY", temperature=config.temperature,
                             max_tokens=args.max_tokens, tools_prompt=style, timeout=args.timeout,
                             max_retries=args.retries)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-") or "model"

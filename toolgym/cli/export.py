"""`toolgym export`: training data from toolgym ids, as JSON Lines.

- `sft`: oracle conversations with their tools, or (`--tokenizer PATH`) token ids with an assistant mask.
- `states`: the paper's per-turn states of the oracle trajectories, in the reference's record shape.
- `verl`: verl's dataset rows (Parquet when OUT ends in .parquet), see `toolgym.integrations.verl`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

KINDS = ("sft", "states", "verl")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=KINDS, help="what to export")
    p.add_argument("env_ids", nargs="+", metavar="ID", help="toolgym ids, e.g. ToolEnv/travel-L3")
    p.add_argument("--n", type=int, default=10, help="tasks per id (reset seeds 0..n-1)")
    p.add_argument("--split", default=None, help="'train' (the generated stream) or 'test' (the catalog)")
    p.add_argument("--tokenizer", default=None, help="sft: a local tokenizer directory; render with its template")
    p.add_argument("--reward", default="default", help="verl: the reward preset the rows name")
    p.add_argument("--out", required=True, help="output file (.jsonl; verl: .parquet or .jsonl)")


def run(args: argparse.Namespace) -> int:
    from toolgym.errors import ToolgymError

    if args.n < 1:
        raise ToolgymError(f"--n must be at least 1, got {args.n}")
    if args.tokenizer is not None and args.kind != "sft":
        raise ToolgymError("--tokenizer applies to `export sft` only")
    out = Path(args.out)
    if args.kind == "verl":
        return _write_verl(args, out)
    records = _sft_records(args) if args.kind == "sft" else _state_records(args)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(out)  # nothing half-written is left under the real name
    print(f"wrote {count} {args.kind} records to {out}")
    return 0


def _sft_records(args: argparse.Namespace):
    from toolgym.integrations.sft import load_tokenizer, oracle_conversations, render_with_mask

    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else None
    for conversation in oracle_conversations(args.env_ids, args.n, split=args.split):
        if tokenizer is None:
            yield conversation
        else:
            rendered = render_with_mask(tokenizer, conversation["messages"], conversation["tools"])
            yield {"task_id": conversation["task_id"], **rendered}


def _state_records(args: argparse.Namespace):
    from toolgym.cli.interactive import make_env
    from toolgym.envs.state_env import oracle_states
    from toolgym.models.ftrl import ftrl_from_task

    for env_id in args.env_ids:
        env = make_env(env_id, args.split).unwrapped
        for seed in range(args.n):
            env.reset(seed=seed)
            # toolgym's own tasks (trusted by the env that made them) run in-process
            for state in oracle_states(env.task, trust_code=env._trusts(env.task)):
                yield ftrl_from_task(state)
        env.close()


def _write_verl(args: argparse.Namespace, out: Path) -> int:
    from toolgym.integrations.verl import verl_records, write_parquet

    rows = verl_records(args.env_ids, args.n, reward=args.reward, split=args.split)
    if out.suffix == ".parquet":
        write_parquet(rows, str(out))
    else:
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} verl rows to {out}")
    return 0

"""Train a model on toolgym envs: GRPO / REINFORCE++ over episodes or per-turn states, or an SFT warm start.

    python examples/train_grpo.py ToolEnv/travel-L1 ToolEnv/weather-L1 --model smollm2-135m --mode sft \\
        --steps 30 --out runs/sft
    python examples/train_grpo.py ToolEnv/travel-L1 ToolEnv/weather-L1 --model runs/sft/checkpoints/step-000030 \\
        --algo grpo --steps 50 --tasks 4 --group 8 --out runs/grpo

`--model`: smollm2-135m, a HF model directory, or tiny. Running the same command again resumes the run in --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from toolgym.errors import ToolgymError
from toolgym.train.trainer import TrainConfig, Trainer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", help="env ids (mixed in turn) to train on, e.g. ToolEnv/travel-L1")
    parser.add_argument("--out", required=True, help="run directory (metrics.jsonl, curves.png, checkpoints/)")
    for f in dataclasses.fields(TrainConfig):
        if f.name != "sources":
            flag = "--" + f.name.replace("_", "-")
            parser.add_argument(flag, type=type(f.default), default=f.default, help=f"default: {f.default}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = vars(parse_args(argv))
    out = args.pop("out")
    try:
        trainer = Trainer(TrainConfig(sources=tuple(args.pop("sources")), **args), out)
        for record in trainer.run():
            print(json.dumps(record), flush=True)
    except ToolgymError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"checkpoint: {trainer.latest_checkpoint()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

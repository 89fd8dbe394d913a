"""Relative parameter change per layer and per module type between two checkpoints: a table and a plot.

    python examples/param_delta.py runs/sft/checkpoints/step-000030 runs/grpo/checkpoints/step-000050 \\
        --plot param_delta.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolgym.errors import ToolgymError
from toolgym.train.param_delta import load_weights, param_delta, plot, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="checkpoint directory (save_pretrained) before training")
    parser.add_argument("after", help="checkpoint directory after training")
    parser.add_argument("--plot", type=Path, help="write the per-layer plot to this PNG (needs the plot extra)")
    args = parser.parse_args(argv)
    try:
        delta = param_delta(load_weights(args.before), load_weights(args.after))
        print(table(delta), end="")
        if args.plot:
            print(f"plot: {plot(delta, args.plot, f'{_label(args.before)} -> {_label(args.after)}')}")
    except ToolgymError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def _label(checkpoint: str) -> str:
    """`runs/sft/checkpoints/step-000001` -> `sft/step-000001`: the run's name tells two checkpoints apart."""
    path = Path(checkpoint).resolve()
    return f"{path.parents[1].name}/{path.name}" if path.parent.name == "checkpoints" else path.name


if __name__ == "__main__":
    sys.exit(main())

"""The curves of a training run (the optional `plot` extra): reward, solve rate and answer accuracy per step,
and loss, KL, entropy and clip fraction, from `metrics.jsonl`."""

from __future__ import annotations

import json
from pathlib import Path

from toolgym.errors import MissingDependencyError

CURVES = (("reward", "reward (mean return)"), ("solve_rate", "solve rate"), ("answer_accuracy", "answer accuracy"))
DIAGNOSTICS = (("loss", "loss"), ("kl", "KL to reference (k3)"), ("entropy", "entropy"),
               ("clip_fraction", "clip fraction"))


def plot_metrics(log: Path, out: Path) -> Path:
    """Write the PNG `out` from the JSONL `log`; return its path."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("matplotlib", "plot") from None
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for axes, curves in ((top, CURVES), (bottom, DIAGNOSTICS)):
        for key, label in curves:
            points = [(r["step"], r[key]) for r in rows if key in r]
            if points:
                axes.plot(*zip(*points), marker=".", label=label)
        axes.legend(fontsize=8)
        axes.grid(alpha=0.3)
    bottom.set_xlabel("step")
    top.set_title(f"training curves ({log.parent.name})")
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return out

"""PNG plots of a report (the optional `plot` extra): answer accuracy and Solve-F1 per level and per scenario."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolgym.errors import MissingDependencyError


def plot_summary(summary: Mapping[str, Any], out: Path) -> list[Path]:
    """Write `accuracy_by_level.png` and `accuracy_by_scenario.png` into `out`; return their paths."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("matplotlib", "plot") from None
    paths = []
    for key, title in (("by_level", "level"), ("by_scenario", "scenario")):
        groups = summary[key]
        names = list(groups)
        figure, axes = plt.subplots(figsize=(max(4.0, 1.2 * len(names) + 2), 3.2))
        width = 0.4
        positions = range(len(names))
        for offset, key, label in ((-width / 2, "answer_accuracy", "answer accuracy"), (width / 2, "solve_f1",
                                                                                      "Solve-F1")):
            bars = axes.bar([x + offset for x in positions], [groups[n][key] for n in names], width, label=label)
            axes.bar_label(bars, fmt="%.2f", fontsize=8)
        axes.set_xticks(list(positions), names)
        axes.set_ylim(0, 1)
        model = Path(str(summary["config"].get("model", ""))).name  # a model directory: its last part
        axes.set_title(f"{model} by {title}")
        axes.legend()
        figure.tight_layout()
        path = out / f"accuracy_by_{title}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths

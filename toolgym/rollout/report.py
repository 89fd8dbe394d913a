"""A benchmark report from trajectories: `summary.json` numbers and the `summary.md` tables.

Per group (all episodes; each source id; each scenario; each level): episodes and tasks; the paper's Solve-P,
Solve-R (solve rate) and Solve-F1 as means of the episode metrics; answer accuracy; pass@1 and pass@k with the
unbiased estimator (per task, n samples of which c answered correctly: 1 - C(n-c, k) / C(n, k), averaged over
tasks); mean turns and calls; the parse-error rate (turns with an unreadable call / turns); mean prompt and
completion tokens per episode; the mean return; how episodes stopped. "macro" is the unweighted mean over the
scenarios (the paper's protocol). The report depends only on the set of trajectories, never on their order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from toolgym.rollout.runner import Trajectory

DIGITS = 6  # rounding of every figure: equal runs give byte-equal summaries
MACRO_KEYS = ("solve_precision", "solve_rate", "solve_f1", "answer_accuracy")
COLUMNS = (("episodes", "episodes", "d"), ("Solve-P", "solve_precision", ".3f"), ("Solve-R", "solve_rate", ".3f"),
           ("Solve-F1", "solve_f1", ".3f"), ("answer acc", "answer_accuracy", ".3f"), ("pass@1", "pass@1", ".3f"),
           ("pass@k", "pass@k", ".3f"), ("turns", "mean_turns", ".2f"), ("calls", "mean_calls", ".2f"),
           ("parse err", "parse_error_rate", ".3f"), ("tokens in/out", None, ""))


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimator for n samples with c correct (Chen et al., 2021).

    >>> pass_at_k(4, 1, 1), pass_at_k(4, 1, 4), pass_at_k(4, 0, 2)
    (0.25, 1.0, 0.0)
    """
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    return 1.0 if n - c < k else 1.0 - math.comb(n - c, k) / math.comb(n, k)


def group_stats(trajectories: Sequence[Trajectory], k: int) -> dict[str, Any]:
    """Every figure of one group of trajectories."""
    n = len(trajectories)
    mean = lambda values: round(sum(values) / n, DIGITS) if n else 0.0  # noqa: E731
    turns = sum(t["num_turns"] for t in trajectories)
    by_task: dict[tuple[str, int], list[bool]] = {}
    for t in trajectories:
        by_task.setdefault((t["source"], t["index"]), []).append(t["answer_correct"])
    return {
        "episodes": n, "tasks": len(by_task),
        **{key: mean([t["metrics"][key] for t in trajectories]) for key in MACRO_KEYS[:3]},
        "answer_accuracy": mean([float(t["answer_correct"]) for t in trajectories]),
        "pass@1": _mean_pass(by_task, 1), "pass@k": _mean_pass(by_task, k), "k": k,
        "mean_turns": mean([t["num_turns"] for t in trajectories]),
        "mean_calls": mean([t["num_calls"] for t in trajectories]),
        "parse_error_rate": round(sum(t["parse_error_turns"] for t in trajectories) / turns, DIGITS) if turns else 0.0,
        "mean_prompt_tokens": mean([t["prompt_tokens"] for t in trajectories]),
        "mean_completion_tokens": mean([t["completion_tokens"] for t in trajectories]),
        "mean_return": mean([t["return"] for t in trajectories]),
        "stop_reasons": dict(sorted(Counter(t["stop_reason"] for t in trajectories).items())),
    }


def _mean_pass(by_task: Mapping[Any, list[bool]], k: int) -> float:
    values = [pass_at_k(len(c), sum(c), min(k, len(c))) for c in by_task.values()]
    return round(sum(values) / len(values), DIGITS) if values else 0.0


def _groups(trajectories: Sequence[Trajectory], field: Callable[[Trajectory], Any], k: int) -> dict[str, Any]:
    groups: dict[str, list[Trajectory]] = {}
    for t in trajectories:
        groups.setdefault(str(field(t)), []).append(t)
    return {name: group_stats(items, k) for name, items in sorted(groups.items())}


def summarize(trajectories: Iterable[Trajectory], k: int = 1, config: Mapping[str, Any] | None = None
              ) -> dict[str, Any]:
    """The report as a JSON-able dict: `config`, `overall`, `macro`, `by_id`, `by_scenario`, `by_level`."""
    ordered = sorted(trajectories, key=lambda t: t["key"])
    by_scenario = _groups(ordered, lambda t: t["scenario"], k)
    macro = {key: round(sum(g[key] for g in by_scenario.values()) / len(by_scenario), DIGITS) if by_scenario
             else 0.0 for key in MACRO_KEYS}
    return {"config": dict(config or {}), "overall": group_stats(ordered, k), "macro": macro,
            "by_id": _groups(ordered, lambda t: t["source"], k), "by_scenario": by_scenario,
            "by_level": _groups(ordered, lambda t: f"L{t['level']}" if t["level"] is not None else "none", k)}


def markdown(summary: Mapping[str, Any]) -> str:
    """`summary.md`: the run's configuration and one table per grouping."""
    config = summary["config"]
    lines = ["# toolgym eval", ""]
    if config:
        lines += [", ".join(f"{key}: `{value}`" for key, value in config.items()), ""]
    macro = summary["macro"]
    lines += ["Macro over scenarios: " + ", ".join(f"{key} {macro[key]:.3f}" for key in MACRO_KEYS), ""]
    tables = (("all", {"all": summary["overall"]}), ("id", summary["by_id"]), ("scenario", summary["by_scenario"]),
              ("level", summary["by_level"]))
    for title, groups in tables:
        lines += _table(title, groups) + [""]
    stops = summary["overall"]["stop_reasons"]
    lines.append("Stop reasons: " + ", ".join(f"{reason} {count}" for reason, count in stops.items()))
    return "\n".join(lines) + "\n"


def _table(title: str, groups: Mapping[str, Mapping[str, Any]]) -> list[str]:
    k = next(iter(groups.values()), {}).get("k", 1)
    columns = [c for c in COLUMNS if k > 1 or c[1] != "pass@k"]  # with one sample, pass@k is pass@1
    header = [title] + [name.replace("pass@k", f"pass@{k}") for name, _, _ in columns]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, stats in groups.items():
        cells = [name] + [format(stats[key], spec) if key else
                          f"{stats['mean_prompt_tokens']:.0f}/{stats['mean_completion_tokens']:.0f}"
                          for _, key, spec in columns]
        rows.append("| " + " | ".join(cells) + " |")
    return rows

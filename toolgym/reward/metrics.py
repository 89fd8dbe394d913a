"""Episode metrics (the paper's solve precision, rate and F1) and their per-scenario and macro averages."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

MACRO = "macro"  # the key of the average over scenarios in `aggregate`'s result


def episode_metrics(solved: int, calls: int, num_expected: int, *, no_call_precision: float = 0.0,
                    ) -> dict[str, float]:
    """solve_precision = S/C, solve_rate = S/U0, solve_f1 = 2S/(C+U0). An episode without calls has precision
    `no_call_precision`: 0 by default, as it made no correct call (1.0 would inflate averages over episodes that
    never try); the `ftrl` preset passes the reference's 1.0. Rate and F1 are 1.0 when their denominator is 0
    (nothing to solve, nothing called).

    >>> episode_metrics(solved=2, calls=3, num_expected=2)
    {'solve_precision': 0.6666666666666666, 'solve_rate': 1.0, 'solve_f1': 0.8}
    """
    return {
        "solve_precision": solved / calls if calls else no_call_precision,
        "solve_rate": solved / num_expected if num_expected else 1.0,
        "solve_f1": 2 * solved / (calls + num_expected) if calls + num_expected else 1.0,
    }


def mean_metrics(items: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Key-wise mean; a key absent from some items is averaged over the items that have it."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for item in items:
        for key, value in item.items():
            sums[key] = sums.get(key, 0.0) + float(value)
            counts[key] = counts.get(key, 0) + 1
    return {key: sums[key] / counts[key] for key in sums}


def _scenario_key(scenario: object) -> str:
    # ScenarioKind is a str enum whose str() is "ScenarioKind.X" on Python 3.11: use its value.
    return str(scenario.value) if isinstance(scenario, enum.Enum) else str(scenario)


def aggregate(results: Iterable[tuple[object, Mapping[str, float]]]) -> dict[str, dict[str, float]]:
    """Average episode metrics per scenario, plus "macro": the unweighted mean of the scenario averages.

    >>> aggregate([("single_hop", {"solve_rate": 1.0}), ("single_hop", {"solve_rate": 0.0}),
    ...            ("multi_hop", {"solve_rate": 1.0})])
    {'single_hop': {'solve_rate': 0.5}, 'multi_hop': {'solve_rate': 1.0}, 'macro': {'solve_rate': 0.75}}
    """
    groups: dict[str, list[Mapping[str, float]]] = {}
    for scenario, metrics in results:
        groups.setdefault(_scenario_key(scenario), []).append(metrics)
    if MACRO in groups:
        raise ValueError(f"a scenario may not be named {MACRO!r}: that key holds the macro average")
    per_scenario = {scenario: mean_metrics(items) for scenario, items in groups.items()}
    return {**per_scenario, MACRO: mean_metrics(per_scenario.values())}

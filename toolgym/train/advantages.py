"""From the env's turn rewards to one advantage per episode, shared by every token the model sampled in it.

An episode's score is its return, the sum of its turn rewards (the env's verifier: per-call credit, the answer's
reward, penalties for malformed or wasted calls). A group is G episodes of the same task (or G samples of the same
state in `--mode states`):

- `grpo`: A_i = (R_i - mean(R_group)) / (std(R_group) + eps), the GRPO group normalisation;
- `reinforce++`: A_i = R_i - mean(R_group), then divided by the std of those over the whole batch (REINFORCE++ with a
  group baseline: one scale for all groups, so a group with tiny spread is not blown up).

Every completion token of every turn of episode i gets A_i (outcome-level credit, as GRPO does). A group whose
returns are all equal carries no signal: its advantages are 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from toolgym.errors import UnknownNameError

ALGOS = ("grpo", "reinforce++")
EPS = 1e-6


def advantages(groups: Sequence[Sequence[float]], algo: str) -> list[list[float]]:
    """Advantages of each group's returns under `algo`.

    >>> [[round(a, 3) for a in group] for group in advantages([[1.0, 0.0], [0.5, 0.5]], "grpo")]
    [[1.0, -1.0], [0.0, 0.0]]
    """
    if algo not in ALGOS:
        raise UnknownNameError("algo", algo, list(ALGOS))
    centred = [[r - _mean(g) for r in g] for g in groups]
    if algo == "grpo":
        return [[round(c / (_std(g) + EPS), 6) for c in cs] for g, cs in zip(groups, centred)]
    scale = _std([c for cs in centred for c in cs]) + EPS
    return [[round(c / scale, 6) for c in cs] for cs in centred]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _std(values: Sequence[float]) -> float:
    mean = _mean(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5

"""The difficulty levels L1-L5: one table, read by the generator and checked against what it produces.

Levels grow along the paper's dimensions: logical structure (scenario, branches, hops), parameters per tool and
their types, merged tools, distractors (near-duplicate names from L4) and the number of sub-answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolgym.errors import UnknownNameError
from toolgym.models.task import ScenarioKind

Range = tuple[int, int]  # inclusive bounds


@dataclass(frozen=True)
class LevelConfig:
    """What tasks of one level look like. Ranges are inclusive.

    `branches`: independent chains joined by an aggregation (1 = no aggregation); `hops`: lookups per chain
    (L5 mixes chain lengths; a parallel_multi_hop task always has one chain of 2+ hops);
    `params`: parameters per needed tool (the merged tool's `field` selector included); `required`: required
    ones; `param_types`: type classes optional parameters may take; `min_merged`: needed tools serving several
    fields; `near_duplicates`: distractors named like a needed tool; `max_sub_answers`: cap on the gold calls.
    """

    level: int
    scenario: ScenarioKind
    branches: Range
    hops: Range
    distractors: Range
    params: Range
    required: Range
    param_types: tuple[str, ...]
    min_merged: int
    near_duplicates: bool
    max_sub_answers: int


_SIMPLE = ("string",)
_ENUMS = ("string", "enum")
_TYPED = ("string", "enum", "integer", "number", "boolean")
_ALL = _TYPED + ("date", "array", "object")

LEVELS: dict[int, LevelConfig] = {
    1: LevelConfig(1, ScenarioKind.SINGLE_HOP, (1, 1), (1, 1), (0, 2), (1, 2), (1, 1), _SIMPLE, 0, False, 1),
    2: LevelConfig(2, ScenarioKind.PARALLEL_SINGLE_HOP, (2, 3), (1, 1), (1, 3), (2, 3), (1, 1), _ENUMS, 0,
                   False, 4),
    3: LevelConfig(3, ScenarioKind.MULTI_HOP, (1, 1), (2, 3), (2, 5), (3, 5), (1, 2), _TYPED, 1, False, 3),
    4: LevelConfig(4, ScenarioKind.PARALLEL_MULTI_HOP, (2, 2), (2, 3), (4, 7), (4, 6), (1, 2), _ALL, 1, True, 7),
    5: LevelConfig(5, ScenarioKind.PARALLEL_MULTI_HOP, (2, 4), (1, 3), (8, 12), (6, 8), (1, 2), _ALL, 1, True, 10),
}


def level_config(level: int) -> LevelConfig:
    """The configuration of `level` (1-5); raises `UnknownNameError` otherwise."""
    if level not in LEVELS:
        raise UnknownNameError("level", str(level), [str(n) for n in LEVELS])
    return LEVELS[level]


def format_level_table() -> str:
    """The table in Markdown, as the README shows it."""
    rows = level_table()
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row[h] for h in header) + " |" for row in rows])


def level_table() -> list[dict[str, str]]:
    """The table as rows of text, for the README and `toolgym list`."""
    def span(r: Range) -> str:
        """'2-3', or '1' for a one-value range."""
        return str(r[0]) if r[0] == r[1] else f"{r[0]}-{r[1]}"
    return [{"level": f"L{c.level}", "scenario": c.scenario.value, "branches": span(c.branches),
             "hops": span(c.hops), "sub-answers": f"<= {c.max_sub_answers}", "distractors": span(c.distractors),
             "params/tool": span(c.params), "required": span(c.required), "types": ", ".join(c.param_types),
             "merged tools": f">= {c.min_merged}", "near-duplicates": "yes" if c.near_duplicates else "no"}
            for c in LEVELS.values()]

"""How varied a set of tasks is, read from the `Task` records alone (generated, a native file, or the paper's).

`diversity(tasks)` measures what the FTRL paper's released environments vary along: the type of the final answer
(number, quantity with a unit, date, boolean, entity name, text, list), distinct tool names and parameter shapes
per 100 tasks, distinct question skeletons (the question with names, numbers and quoted strings blanked), tools and
calls per task, the scenario mix, and how many tasks show each tool-surface feature (a search tool, an id
parameter, a list tool, an object parameter, date arithmetic in the gold plan). `toolgym stats` prints it for any
mix of registered ids or task files, so toolgym's figures and the paper's can be put side by side with one command.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolgym.generation.backends.procedural.surface import snake
from toolgym.models.task import Task

ANSWER_TYPES = ("number", "quantity", "date", "boolean", "entity", "text", "list")
BLOCK = 100  # "per 100 tasks": measured over consecutive blocks of this many tasks, then averaged

_NUMBER = re.compile(r"^[-+\u2212]?[$€£]?\s?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
_QUANTITY = re.compile(r"^[-+]?[$€£]?\s?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*[^\W\d][\w/%°. ]{0,24}$")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = re.compile(rf"^(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|"
                   rf"({_MONTHS})\.? \d{{1,2}}(st|nd|rd|th)?,? \d{{4}}|\d{{1,2}} ({_MONTHS})\.? \d{{4}}|"
                   rf"({_MONTHS}) \d{{4}})$", re.IGNORECASE)
_BOOLEAN = frozenset({"yes", "no", "true", "false"})
_LIST_SEPARATOR = ", "  # the reference's convention: "a, b" means a and b

# Blanks for question skeletons: quoted strings, then numbers and dates, then runs of capitalised words that do
# not start a sentence (names of entities), so "the price of Hotel Brask" and "... of Hotel Quell" are one.
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'|`[^`]*`")
_NUMERIC = re.compile(r"[$€£]?\d[\d,.:/-]*")
_NAME = re.compile(r"(?<![.?!:]\s)(?<!^)\b[A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|of|de|the|and))*(?:\s+[A-Z][\w'-]*)?")


def answer_type(answer: str) -> str:
    """One of ANSWER_TYPES for a final answer's text.

    >>> [answer_type(a) for a in ("2,048", "4,200 m", "2031-04-12", "No", "Hotel Brask", "terracotta", "a, b")]
    ['number', 'quantity', 'date', 'boolean', 'entity', 'text', 'list']
    """
    text = answer.strip()
    if _DATE.match(text):  # before lists: "March 3, 2024" is one date
        return "date"
    if _LIST_SEPARATOR in text:
        return "list"
    if _NUMBER.match(text):
        return "number"
    if _QUANTITY.match(text):
        return "quantity"
    if text.casefold().rstrip(".") in _BOOLEAN:
        return "boolean"
    return "entity" if text[:1].isupper() else "text"


def question_skeleton(question: str) -> str:
    """The question with quoted strings, numbers and names blanked (`<s>`, `<n>`, `<x>`), lower-cased.

    >>> question_skeleton("What is the price of Hotel Brask in 2024?")
    'what is the price of <x> in <n>?'
    """
    text = _QUOTED.sub("<s>", question.strip())  # lower-case blanks: not read as names
    text = _NUMERIC.sub("<n>", text)
    text = _NAME.sub("<x>", text)
    return re.sub(r"\s+", " ", text).casefold()


def parameter_shape(parameters: dict[str, Any]) -> str:
    """A tool's parameter shape: the sorted type classes of its parameters, `!` marking required ones, and nested
    objects or arrays spelled out, e.g. `enum,string!`."""
    required = set(parameters.get("required", ()))
    return ",".join(sorted(_type_of(p) + ("!" if name in required else "")
                           for name, p in parameters.get("properties", {}).items())) or "-"


def _type_of(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "any"
    kind = schema.get("type", "any")
    kind = kind if isinstance(kind, str) else "|".join(map(str, kind))
    if kind == "string" and "enum" in schema:
        return "enum"
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        return "date"
    if kind == "array":
        return f"array[{_type_of(schema.get('items', {}))}]"
    if kind == "object" and schema.get("properties"):
        return "object{" + parameter_shape(schema) + "}"
    return kind


@dataclass(frozen=True)
class Diversity:
    """What `diversity` measures over `tasks` tasks."""

    tasks: int
    answer_types: dict[str, int]
    tool_names: int
    tool_names_per_100: float
    parameter_shapes: int
    parameter_shapes_per_100: float
    question_skeletons: int
    tools_per_task: float
    calls_per_task: float
    scenarios: dict[str, int]
    domains: int
    features: dict[str, int]

    @property
    def non_numeric_share(self) -> float:
        """Share of final answers that are not plain numbers."""
        return 1 - self.answer_types.get("number", 0) / max(self.tasks, 1)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "non_numeric_share": round(self.non_numeric_share, 3)}


def _calls(task: Task) -> int:
    """Tool calls of the gold plan, or the expected sub-answers when a file has no plan (the paper's format)."""
    return sum(len(turn) for turn in task.gold_plan) if task.gold_plan else task.num_expected


def _per_block(tasks: Sequence[Task], distinct: Any) -> float:
    """Mean over consecutive blocks of BLOCK tasks of the number of distinct things `distinct(block)` counts (the
    whole set, scaled, when it has fewer than BLOCK tasks)."""
    blocks = [tasks[i:i + BLOCK] for i in range(0, len(tasks) - BLOCK + 1, BLOCK)]
    if not blocks:
        return round(len(distinct(tasks)) * BLOCK / max(len(tasks), 1), 1)
    return round(sum(len(distinct(b)) for b in blocks) / len(blocks), 1)


def _names(tasks: Sequence[Task]) -> set[str]:
    return {t.function.name for task in tasks for t in task.tools}


def _shapes(tasks: Sequence[Task]) -> set[str]:
    return {parameter_shape(t.function.parameters) for task in tasks for t in task.tools}


FEATURES = ("search tool", "id parameter", "list tool", "object parameter", "date arithmetic")


def task_features(task: Task) -> frozenset[str]:
    """Which of FEATURES `task` shows: a tool named search_... or ..._search or described as "Search ...", a
    parameter named id or ..._id, a tool named list_..., an object parameter, a gold call counting days."""
    names = [snake(t.function.name) for t in task.tools]
    params = {snake(p): spec for t in task.tools for p, spec in t.function.parameters.get("properties", {}).items()}
    found = set()
    if any(n.startswith("search") or n.endswith("_search") for n in names) or any(
            (t.function.description or "").startswith("Search") for t in task.tools):
        found.add("search tool")
    if any(p == "id" or p.endswith("_id") for p in params):
        found.add("id parameter")
    if any(n.startswith("list_") for n in names):
        found.add("list tool")
    if any(isinstance(spec, dict) and spec.get("type") == "object" for spec in params.values()):
        found.add("object parameter")
    if any("dates" in c.arguments or "days" in str(c.arguments.get("operation", ""))
           for turn in task.gold_plan or () for c in turn):
        found.add("date arithmetic")
    return frozenset(found)


def diversity(tasks: Sequence[Task]) -> Diversity:
    """Measure `tasks` (any source; see the module docstring)."""
    if not tasks:
        raise ValueError("diversity needs at least one task")
    n = len(tasks)
    types = Counter(answer_type(t.answer) for t in tasks)
    features = Counter(f for t in tasks for f in task_features(t))
    return Diversity(
        tasks=n, answer_types={k: types.get(k, 0) for k in ANSWER_TYPES},
        tool_names=len(_names(tasks)), tool_names_per_100=_per_block(tasks, _names),
        parameter_shapes=len(_shapes(tasks)), parameter_shapes_per_100=_per_block(tasks, _shapes),
        question_skeletons=len({question_skeleton(t.question) for t in tasks}),
        tools_per_task=round(sum(len(t.tools) for t in tasks) / n, 2),
        calls_per_task=round(sum(_calls(t) for t in tasks) / n, 2),
        scenarios=dict(sorted(Counter(t.scenario.value for t in tasks).items())),
        domains=len({t.domain for t in tasks}), features={k: features.get(k, 0) for k in FEATURES})


def format_diversity(d: Diversity, label: str = "") -> str:
    """A readable report of `d`."""
    def share(count: int) -> str:
        return f"{count} ({100 * count / d.tasks:.0f} %)"
    lines = [f"{label or 'tasks'}: {d.tasks} tasks, {d.domains} domains",
             "answer types: " + ", ".join(f"{k} {share(v)}" for k, v in d.answer_types.items() if v),
             f"not plain numbers: {100 * d.non_numeric_share:.0f} %",
             f"distinct tool names: {d.tool_names} ({d.tool_names_per_100} per 100 tasks)",
             f"distinct parameter shapes: {d.parameter_shapes} ({d.parameter_shapes_per_100} per 100 tasks)",
             f"distinct question skeletons: {d.question_skeletons} ({100 * d.question_skeletons / d.tasks:.0f} "
             "per 100 tasks)",
             f"tools per task: {d.tools_per_task}; gold calls per task: {d.calls_per_task}",
             "scenarios: " + ", ".join(f"{k} {share(v)}" for k, v in d.scenarios.items()),
             "tasks with: " + ", ".join(f"{k} {share(v)}" for k, v in d.features.items())]
    return "\n".join(lines)


def mixed_tasks(domains: Sequence[str], levels: Sequence[int], n: int, *, seed: int = 0,
                split: str = "train") -> list[Task]:
    """`n` generated tasks cycling through every (domain, level) pair, levels fastest, each pair's stream read from
    index 0: any `n` mixes the levels evenly and covers the domains in order."""
    from toolgym.generation import generate_task

    pairs = [(d, lv) for d in dict.fromkeys(domains) for lv in dict.fromkeys(levels)]
    return [generate_task(*pairs[i % len(pairs)], i // len(pairs), seed=seed, split=split) for i in range(n)]

"""The pending-answer tracker: which expected sub-answers are still to be obtained, by tool.

`Pending` is immutable: `take` returns a new tracker, so a verifier can keep its history or be copied for free.
The update rule is the reference's: a call's output can only solve a sub-answer listed under that call's tool
name, the first matching one is removed, and one call solves at most one sub-answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType

Matcher = Callable[[str, str], bool]  # (expected, output) -> bool


class Pending:
    """A multiset of expected sub-answers keyed by tool name.

    >>> p = Pending({"add": ("5", "7")})
    >>> p2, hit = p.take("add", "7", lambda expected, output: expected == output)
    >>> hit, p2.remaining, p.remaining, p2.for_tool("add")
    ('7', 1, 2, ('5',))
    """

    __slots__ = ("_by_tool", "_remaining")

    def __init__(self, expected: Mapping[str, tuple[str, ...] | list[str]]) -> None:
        by_tool = {tool: tuple(answers) for tool, answers in expected.items() if answers}
        self._by_tool = MappingProxyType(by_tool)
        self._remaining = sum(len(answers) for answers in by_tool.values())

    @classmethod
    def from_task(cls, task: object) -> Pending:
        """The tracker at the start of an episode on `task` (anything with an `expected` mapping)."""
        return cls(task.expected)  # type: ignore[attr-defined]

    @property
    def remaining(self) -> int:
        """How many sub-answers are still pending (U in the paper)."""
        return self._remaining

    @property
    def is_empty(self) -> bool:
        return self._remaining == 0

    @property
    def by_tool(self) -> Mapping[str, tuple[str, ...]]:
        """Read-only view: tool name -> pending sub-answers (tools with none pending are absent)."""
        return self._by_tool

    def for_tool(self, tool: str) -> tuple[str, ...]:
        """The sub-answers still pending under `tool`, in their original order."""
        return self._by_tool.get(tool, ())

    def take(self, tool: str, output: str, match: Matcher) -> tuple[Pending, str | None]:
        """Remove the first sub-answer under `tool` that `match(answer, output)` accepts.

        Returns the new tracker and the solved sub-answer, or `(self, None)` when nothing matched.
        """
        answers = self._by_tool.get(tool, ())
        for i, answer in enumerate(answers):
            if match(answer, output):
                return self._without(tool, i), answer
        return self, None

    def _without(self, tool: str, index: int) -> Pending:
        """A copy with the `index`-th answer under `tool` removed; skips __init__'s re-validation."""
        answers = self._by_tool[tool]
        by_tool = dict(self._by_tool)
        rest = answers[:index] + answers[index + 1:]
        if rest:
            by_tool[tool] = rest
        else:
            del by_tool[tool]
        new = Pending.__new__(Pending)
        new._by_tool = MappingProxyType(by_tool)
        new._remaining = self._remaining - 1
        return new

    def __reduce__(self) -> tuple[type[Pending], tuple[dict[str, tuple[str, ...]]]]:
        # a mappingproxy cannot be pickled; rebuilding from a plain dict keeps envs picklable mid-episode
        return Pending, (dict(self._by_tool),)

    def __len__(self) -> int:
        return self._remaining

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """Every pending (tool, sub-answer) pair, duplicates included."""
        for tool, answers in self._by_tool.items():
            for answer in answers:
                yield tool, answer

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pending):
            return NotImplemented
        return dict(self._by_tool) == dict(other._by_tool)

    def __hash__(self) -> int:
        return hash(frozenset(self._by_tool.items()))

    def __repr__(self) -> str:
        return f"Pending({dict(self._by_tool)!r})"

"""The per-episode verifier: scores each turn under a preset and keeps the episode's counters.

Exact arithmetic: presets score turns as `Fraction`s and the verifier keeps the episode's return exactly. Each
step's float reward is chosen so that the running float sum of the rewards so far (`total += reward`, as a training
loop accumulates it) equals the exact return rounded once: a minimal correct solution returns exactly 2.0, never
1.9999999999999998.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from toolgym.models.calls import ParsedTurn, ToolCall, ToolResult
from toolgym.models.task import Task
from toolgym.reward.metrics import episode_metrics
from toolgym.reward.presets import RewardPreset, get_preset
from toolgym.reward.tracker import Pending


@dataclass(frozen=True, slots=True)
class TurnScore:
    """The verdict on one turn.

    `solved` has one entry per executed call: the sub-answer it solved, or None. `answer_correct` is None for a
    turn with calls. `ends_episode` is True for a turn without a parsed call, unless it only had malformed calls
    and the preset lets the episode go on after those.
    """

    reward: float
    solved: tuple[str | None, ...] = ()
    answer_correct: bool | None = None
    ends_episode: bool = False


class Verifier:
    """Scores the turns of one episode on `task` and tracks what is solved. Make a new one per episode.

    >>> from toolgym.models.task import Task
    >>> task = Task(id="t", question="2+3?", messages=[{"role": "user", "content": "2+3?"}],
    ...             tools=[{"function": {"name": "add"}}], code={"add": "def add(a, b):\\n    return a + b"},
    ...             expected={"add": ["5"]}, answer="5", scenario="single_hop")
    >>> v = Verifier(task)
    >>> v.score_turn(ParsedTurn("", (ToolCall("add"),)), [(ToolCall("add"), ToolResult("5"))]).reward
    1.0
    >>> v.score_turn(ParsedTurn("Final answer: 5"), []).reward, v.metrics()["solve_f1"]
    (1.0, 1.0)
    """

    __slots__ = ("task", "preset", "_pending", "_num_expected", "_solved", "_calls", "_answer_correct", "_numerator",
                 "_denominator", "_float_return", "_solving_effects")

    def __init__(self, task: Task, preset: str | RewardPreset = "default") -> None:
        self.task = task
        self.preset = get_preset(preset)
        self._pending = Pending.from_task(task)
        self._num_expected = self._pending.remaining
        self._solved = 0
        self._calls = 0
        self._answer_correct = False
        # The exact return so far as a reduced fraction of ints (cheaper on the step's path than `Fraction` sums).
        self._numerator, self._denominator = 0, 1
        self._float_return = 0.0        # the running float sum of the rewards handed out so far
        self._solving_effects: set[tuple[str, str]] = set()

    @property
    def episode_return(self) -> Fraction:
        """The exact sum of the turn rewards so far."""
        return Fraction(self._numerator, self._denominator)

    @property
    def pending(self) -> Pending:
        """The sub-answers still to obtain."""
        return self._pending

    @property
    def answer_correct(self) -> bool:
        """The latest verdict on a final answer; False until the agent answers."""
        return self._answer_correct

    @property
    def num_expected(self) -> int:
        """U0: sub-answers to obtain in the episode."""
        return self._num_expected

    @property
    def solved_count(self) -> int:
        """S: sub-answers solved so far."""
        return self._solved

    @property
    def call_count(self) -> int:
        """C: calls executed so far (parsed calls; parse issues are not calls)."""
        return self._calls

    def score_turn(self, parsed: ParsedTurn,
                   results: Sequence[tuple[ToolCall, ToolResult]]) -> TurnScore:
        """Score one turn: `parsed` is what the parser read, `results` pairs each parsed call with its result."""
        if len(results) != len(parsed.calls):
            raise ValueError(f"results must pair each of the turn's {len(parsed.calls)} parsed calls with its "
                             f"result; got {len(results)}")
        if results:
            return self._score_calls(parsed, results)
        return self._score_answer(parsed)

    def _score_calls(self, parsed: ParsedTurn, results: Sequence[tuple[ToolCall, ToolResult]]) -> TurnScore:
        preset, pending = self.preset, self._pending
        solved: list[str | None] = []
        for call, result in results:
            hit = None
            effect = (call.name, result.content)
            if preset.may_solve(result) and not (preset.distinct_effects and effect in self._solving_effects):
                pending, hit = pending.take(call.name, result.content, preset.match)
                if hit is not None:
                    self._solving_effects.add(effect)
            solved.append(hit)
        hits = len(solved) - solved.count(None)
        self._pending = pending
        self._solved += hits
        self._calls += len(results)
        reward = preset.call_turn_reward(calls=len(results), solved=hits, issues=len(parsed.issues),
                                         num_expected=self._num_expected)
        return TurnScore(self._pay(reward), tuple(solved))

    def _score_answer(self, parsed: ParsedTurn) -> TurnScore:
        preset = self.preset
        correct = preset.answer_correct(parsed.content, self.task)
        self._answer_correct = correct
        reward = preset.answer_turn_reward(parsed, correct=correct, remaining=self._pending.remaining)
        ends = not parsed.issues or preset.ends_on_malformed_turn
        return TurnScore(self._pay(reward), (), correct, ends)

    def _pay(self, reward: Fraction | float) -> float:
        """Add `reward` to the exact return; the float to hand out so that the float sum tracks the exact return."""
        given, per = reward.as_integer_ratio()  # exact, for a Fraction and for a float alike
        numerator = self._numerator * per + given * self._denominator
        denominator = self._denominator * per
        common = math.gcd(numerator, denominator)
        self._numerator, self._denominator = numerator // common, denominator // common
        target = self._numerator / self._denominator  # int / int is correctly rounded: float(exact return)
        step = given / per  # the turn's own value whenever the float sum lands on the exact return with it
        if self._float_return + step != target:
            step = target - self._float_return
        for _ in range(4):  # one rounding may leave the sum an ulp off: nudge the step until the sum lands
            if self._float_return + step == target:
                break
            step = math.nextafter(step, math.inf if self._float_return + step < target else -math.inf)
        self._float_return += step
        return step

    def metrics(self) -> dict[str, float]:
        """The episode metrics so far: solve_precision, solve_rate, solve_f1."""
        return episode_metrics(self._solved, self._calls, self._num_expected,
                               no_call_precision=self.preset.no_call_precision)

    def __repr__(self) -> str:
        return (f"Verifier(task={self.task.id!r}, preset={self.preset.name!r}, "
                f"solved={self._solved}/{self._num_expected}, calls={self._calls})")

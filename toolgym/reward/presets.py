"""Reward presets: how sub-answers match, which results may solve, when an answer is correct, what a turn earns.

* `FtrlPreset` (names "ftrl", "ftrl:<variant>") reproduces the reference turn by turn: it reads completions the
  reference's way (`FtrlParser`: end tokens stripped, `<think>` kept, unreadable calls dropped silently), runs
  calls the reference's way (`ftrl_execution`: no schema check, its rendering and error text), matches
  sub-answers by substring (any tool output, error text included, may solve), judges a final answer as one whole
  substring, scores turns with the variants solve_f1 / solve_rate / solve_precision / solve_pr and the ordered
  no-call cases, and stops the episode at the first turn without a parsed call.
* `DefaultPreset` ("default") keeps that intent but closes the loopholes: token-bounded number-aware matching,
  errors and repeated calls never solve, a turn with calls earns (solved - WASTED_CALL_PENALTY * wasted) / U0, so
  the calls of an episode sum to at most 1 however they are split, and a final answer must be stated plainly
  (`answers.answer_problem`). The episode return is therefore at most 2, reached exactly by a minimal correct
  solution. Rewards are `Fraction`s: exact (see `verifier`).
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from toolgym.errors import UnknownNameError
from toolgym.models.calls import ParsedTurn, ToolResult
from toolgym.models.task import Task
from toolgym.parsing import HermesParser, Parser
from toolgym.parsing.ftrl import FtrlParser
from toolgym.reward.answers import answer_problem
from toolgym.reward.matching import ftrl_match, strict_match, tokenize

# No-call turns, checked in this order (the reference's values).
EMPTY_RESPONSE_PENALTY = -0.5   # blank content, no call
MALFORMED_CALL_PENALTY = -0.3   # tried to call a tool and got the syntax wrong
ALL_SOLVED_REWARD = 0.5         # every sub-answer obtained, but the final answer is missing or wrong
NO_PROGRESS_REWARD = 0.0        # answered wrongly with sub-answers still pending
# The reference treats any of these left in a no-call turn's content as a malformed call.
FTRL_MALFORMED_MARKERS = ("<tool_call>", "</tool_call>", "<tool_parsed_response>")

# Default preset only.
WASTED_CALL_PENALTY = 0.25      # four wasted calls cost as much as one solved sub-answer earns
MAX_EXTRA_ANSWER_TOKENS = 24    # room for a short sentence around the answer, not for a list of candidates
ERROR_PREFIX = "error"          # tool text starting with this (case-insensitive) is an error message


def answer_reward(remaining: int) -> Fraction:
    """Reward of a correct final answer with `remaining` sub-answers still pending: 1 / (1 + U), exactly."""
    return Fraction(1, 1 + remaining)


def ftrl_answer_match(answer: str, content: str) -> bool:
    """The reference's final-answer check: the whole answer, lower-cased and without commas, is a substring of
    the reply treated alike. Unlike sub-answers, a final answer is never split on ", ".

    >>> ftrl_answer_match("Brazil, China", "China and Brazil."), ftrl_answer_match("1,536", "It costs 1536 EUR")
    (False, True)
    """
    return answer.lower().replace(",", "").strip() in content.lower().replace(",", "")


def no_call_reward(*, empty: bool, malformed: bool, correct: bool, remaining: int) -> Fraction:
    """The ordered no-call cases shared by both presets (exact: see `verifier`)."""
    if empty:
        return Fraction(EMPTY_RESPONSE_PENALTY)
    if malformed:
        return Fraction(MALFORMED_CALL_PENALTY)
    if correct:
        return answer_reward(remaining)
    if remaining == 0:
        return Fraction(ALL_SOLVED_REWARD)
    return Fraction(NO_PROGRESS_REWARD)


def _is_empty(parsed: ParsedTurn) -> bool:
    # A turn whose only text was a malformed call may reach us with blank content: it is malformed, not empty.
    return not parsed.issues and not parsed.content.strip()


class RewardPreset(abc.ABC):
    """What a reward preset decides. Implementations are immutable and shared between episodes."""

    name: ClassVar[str] = ""
    ends_on_malformed_turn: ClassVar[bool] = True  # does a turn with parse issues and no valid call end the episode?
    parser: ClassVar[Parser] = HermesParser()      # how an env reads completions unless it is given a parser
    ftrl_execution: ClassVar[bool] = False         # run calls the reference's way (executors' `ftrl=True`)?
    no_call_precision: ClassVar[float] = 0.0       # an episode's solve_precision when it made no call
    distinct_effects: ClassVar[bool] = False  # may a call solve only when no earlier solving call of its tool
    #                                            returned the same output (repeating a call solves nothing new)?

    @abc.abstractmethod
    def match(self, expected: str, output: str) -> bool:
        """Whether a tool output contains the expected sub-answer."""

    @abc.abstractmethod
    def may_solve(self, result: ToolResult) -> bool:
        """Whether this tool result may solve a sub-answer at all."""

    @abc.abstractmethod
    def answer_correct(self, content: str, task: Task) -> bool:
        """Whether a final reply (content without calls or reasoning) gives the task's answer."""

    @abc.abstractmethod
    def call_turn_reward(self, *, calls: int, solved: int, issues: int, num_expected: int) -> Fraction | float:
        """Reward of a turn with `calls` >= 1 executed calls, `solved` of which solved a sub-answer. A `Fraction`
        keeps the episode's return exact; a float is taken at its exact binary value."""

    @abc.abstractmethod
    def answer_turn_reward(self, parsed: ParsedTurn, *, correct: bool, remaining: int) -> Fraction | float:
        """Reward of a turn without any parsed call."""


FTRL_VARIANTS: dict[str, Callable[[int, int], Fraction]] = {
    "solve_f1": lambda n, s: Fraction(2 * s, n + 1),
    "solve_rate": lambda n, s: Fraction(s),
    "solve_precision": lambda n, s: Fraction(s, n),
    "solve_pr": lambda n, s: Fraction(s * s, n),
}
DEFAULT_FTRL_VARIANT = "solve_f1"  # the variant the paper trains with


@dataclass(frozen=True)
class FtrlPreset(RewardPreset):
    """The reference's reward, for comparisons. Gameable by design: see the module docstring of `matching`."""

    variant: str = DEFAULT_FTRL_VARIANT
    ends_on_malformed_turn: ClassVar[bool] = True  # the reference stops at the first turn with no parsed call
    parser: ClassVar[Parser] = FtrlParser()
    ftrl_execution: ClassVar[bool] = True
    no_call_precision: ClassVar[float] = 1.0  # the reference's S/C with C = 0

    def __post_init__(self) -> None:
        if self.variant not in FTRL_VARIANTS:
            raise UnknownNameError("FTRL reward variant", self.variant, list(FTRL_VARIANTS))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"ftrl:{self.variant}"

    def match(self, expected: str, output: str) -> bool:
        return ftrl_match(expected, output)

    def may_solve(self, result: ToolResult) -> bool:
        return True  # the reference matches error messages too

    def answer_correct(self, content: str, task: Task) -> bool:
        return ftrl_answer_match(task.answer, content)

    def call_turn_reward(self, *, calls: int, solved: int, issues: int, num_expected: int) -> Fraction:
        return FTRL_VARIANTS[self.variant](calls, solved)  # the reference drops parse failures: issues unused

    def answer_turn_reward(self, parsed: ParsedTurn, *, correct: bool, remaining: int) -> Fraction:
        malformed = bool(parsed.issues) or any(marker in parsed.content for marker in FTRL_MALFORMED_MARKERS)
        return no_call_reward(empty=_is_empty(parsed), malformed=malformed, correct=correct, remaining=remaining)


_ANSWER_MARKER = re.compile(r"\banswer\b[\s*_]*:", re.IGNORECASE)  # "Answer:", "Final answer:", "**Answer:**"
_BOXED = "\\boxed{"


def _braced(text: str, start: int) -> str:
    """The text from `start` to the brace closing the one just before it (to the end if it never closes)."""
    depth = 1
    for i in range(start, len(text)):
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:]


def answer_span(content: str) -> str:
    """The part of a final reply that states the answer: inside the last \\boxed{...}, else after the last
    "answer:" marker ("Final answer:" included), else the whole reply.

    >>> answer_span("It is \\\\boxed{\\\\text{12}}."), answer_span("So... Final Answer: 12 USD")
    ('\\\\text{12}', ' 12 USD')
    """
    boxed = content.rfind(_BOXED)
    if boxed >= 0:
        return _braced(content, boxed + len(_BOXED))
    marker = None
    for marker in _ANSWER_MARKER.finditer(content):
        pass
    return content[marker.end():] if marker else content


def is_error_result(result: ToolResult) -> bool:
    """An executor error, or a tool that returned an error message as its value."""
    return not result.ok or result.content.lstrip()[:len(ERROR_PREFIX)].casefold() == ERROR_PREFIX


@dataclass(frozen=True)
class DefaultPreset(RewardPreset):
    """The default reward: the reference's intent, without its loopholes.

    A turn with calls earns (s - wasted_call_penalty * w) / U0, w counting calls that solved nothing and parse
    issues; a no-call turn earns -0.5 (empty), -0.3 (malformed, and the episode goes on), 1 / (1 + U) (correct
    answer), 0.5 (all solved, answer wrong or missing) or 0. A final answer is correct when its span
    (`answer_span`) strict-matches the task's answer, has at most len(answer tokens) + max_extra_answer_tokens
    tokens and states the answer plainly (`answers.answer_problem`: no negation, hedge or candidate list, and for
    a numeric answer no other number-like token the question does not mention).

    Not caught: candidates written in lower case without separators; for a numeric answer, candidates taken from
    the question ("3 or 1,536" when the question mentions 3). A long reply without an answer marker is rejected by
    the token limit even when right, and so is one that explains with the gathered numbers: ask for
    "Final answer:".
    """

    wasted_call_penalty: float = WASTED_CALL_PENALTY
    max_extra_answer_tokens: int = MAX_EXTRA_ANSWER_TOKENS
    name: ClassVar[str] = "default"
    ends_on_malformed_turn: ClassVar[bool] = False  # a malformed turn gets feedback; the episode goes on
    distinct_effects: ClassVar[bool] = True  # a repeated call (same tool, same output) solves nothing new

    def __post_init__(self) -> None:
        if self.wasted_call_penalty <= 0:
            raise ValueError("wasted_call_penalty must be > 0, else wasted calls cost nothing and can be spammed")

    def match(self, expected: str, output: str) -> bool:
        return strict_match(expected, output)

    def may_solve(self, result: ToolResult) -> bool:
        return not is_error_result(result)

    def answer_correct(self, content: str, task: Task) -> bool:
        span = answer_span(content)
        if not strict_match(task.answer, span):
            return False
        if tokenize(span).count > tokenize(task.answer).count + self.max_extra_answer_tokens:
            return False
        return answer_problem(span, task) is None

    def call_turn_reward(self, *, calls: int, solved: int, issues: int, num_expected: int) -> Fraction:
        wasted = calls - solved + issues
        penalty, scale = self.wasted_call_penalty.as_integer_ratio()  # one Fraction built per turn, not four
        return Fraction(solved * scale - penalty * wasted, scale * max(num_expected, 1))

    def answer_turn_reward(self, parsed: ParsedTurn, *, correct: bool, remaining: int) -> Fraction:
        return no_call_reward(empty=_is_empty(parsed), malformed=bool(parsed.issues), correct=correct,
                              remaining=remaining)


def _presets() -> dict[str, RewardPreset]:
    presets: dict[str, RewardPreset] = {"default": DefaultPreset(), "ftrl": FtrlPreset()}
    presets.update({f"ftrl:{variant}": FtrlPreset(variant) for variant in FTRL_VARIANTS})
    return presets


PRESETS: dict[str, RewardPreset] = _presets()


def get_preset(preset: str | RewardPreset) -> RewardPreset:
    """A preset by name ("default", "ftrl", "ftrl:solve_f1", "ftrl:solve_rate", "ftrl:solve_precision",
    "ftrl:solve_pr"), or the given preset itself.

    >>> get_preset("ftrl").name
    'ftrl:solve_f1'
    """
    if isinstance(preset, RewardPreset):
        return preset
    if not isinstance(preset, str):
        raise TypeError(f"reward preset must be a name or a RewardPreset, not {type(preset).__name__}")
    try:
        return PRESETS[preset]
    except KeyError:
        raise UnknownNameError("reward preset", preset, list(PRESETS)) from None

"""Strict judging of a final answer for the default preset: the answer must be *stated*, not hedged around.

`strict_match` finds the expected tokens in the reply; these rules reject the ways a reply can contain them without
giving them as the answer. Each rule looks only at the answer span (see `presets.answer_span`) and only at tokens
outside the answer's own (an answer "No" may say "no"):
- negation: "not 918", "it isn't 918", "never", "neither ... nor";
- hedged or listed candidates: "918 or 920", "maybe Paris", two or more list separators (`;` `/` `|`) beyond
  those of the answer itself, more than `MAX_CANDIDATE_NAMES` capitalised names that the question does not
  mention ("Velmora Tarsk Quellin Zorvik ..."); for a list answer ("Hotel Quell, Hotel Mirra": every item must
  be named, in any order) no such name at all, since one more name is one more item;
- for a numeric answer, any other number-like token the question does not mention: a number (so listing every
  gathered value of a min/max task fails), a range or other compound with digits ("1-99999"), a spelled-out
  number ("nine hundred"), a magnitude word or suffix ("918 thousand", "918k"). Scientific notation is compared
  by value by the tokenizer ("918e3" is 918000, "9.18e2" is 918).

Still open, by design of a token matcher: word candidates written in lower case, separated by spaces or commas
("velmora, tarsk quellin"), and for a numeric answer, candidates taken from the numbers of the question.
"""

from __future__ import annotations

import re

from toolgym.models.task import Task
from toolgym.reward.matching import PIECE_SEPARATOR, tokenize

MAX_CANDIDATE_NAMES = 1  # one capitalised name besides the answer ("Velmora, France"); more is a candidate list
MAX_LIST_SEPARATORS = 1  # one may be a unit ("km/h"); two begin a list ("a; b; c", "a/b/c")

NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "none", "cannot", "isn", "aren", "wasn", "weren",
                       "don", "doesn", "didn", "hasn", "haven", "hadn", "couldn", "wouldn", "shouldn", "mustn",
                       "ain", "nothing"})
HEDGES = frozenset({"or", "either", "maybe", "perhaps", "possibly", "approximately", "roughly"})
NUMBER_WORDS = frozenset({
    "zero", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty",
    "sixty", "seventy", "eighty", "ninety", "hundred", "hundreds", "thousand", "thousands", "million", "millions",
    "billion", "billions", "trillion", "trillions", "dozen", "dozens", "lakh", "crore", "half", "quarter"})
# "one" is left out: "the cheapest one is 918" is an answer, not a second number.

# "918k", "918M", "918 bn"; a spaced single "m" or "b" is left alone: "918 m" is more likely metres than millions.
_MAGNITUDE_SUFFIX = re.compile(r"\d(?:[kKmMbBtT]|bn|mn|MM)\b|\d\s+(?:[kK]|bn|mn|MM)\b")
_SEPARATOR = re.compile(r"[;/|]")  # commas are left to prose: "1,536 (3 nights, taxes included, ...)"
_NAME = re.compile(r"\b[A-Z][a-z]+\b")
_SENTENCE_END = re.compile(r"[.!?:\n]\s*\Z")


def answer_problem(span: str, task: Task) -> str | None:
    """Why the answer span does not state the task's answer plainly (see the module docstring), or None.

    >>> from toolgym.models.task import Task
    >>> task = Task(id="t", question="Rooms?", messages=[{"role": "user", "content": "Rooms?"}],
    ...             tools=[{"function": {"name": "f"}}], code={"f": "def f():\\n    return 0"},
    ...             expected={}, answer="918", scenario="single_hop")
    >>> answer_problem("918 rooms", task), answer_problem("not 918", task), answer_problem("918k", task)
    (None, "negation 'not'", 'a magnitude suffix')
    """
    answer, question = tokenize(task.answer), tokenize(task.question)
    own = set(answer.key.split())
    extras = [token for token in tokenize(span).key.split() if token not in own]
    if found := next((t for t in extras if t in NEGATIONS), None):
        return f"negation {found!r}"
    if found := next((t for t in extras if t in HEDGES), None):
        return f"hedge {found!r}"
    if len(_SEPARATOR.findall(span)) - len(_SEPARATOR.findall(task.answer)) > MAX_LIST_SEPARATORS:
        return "a list of candidates"
    asked = set(question.key.split())
    names = _names(span) - own - asked
    if len(names) > (0 if PIECE_SEPARATOR in task.answer else MAX_CANDIDATE_NAMES):
        return f"candidate names {sorted(names)}"
    if not answer.numbers:
        return None
    if _MAGNITUDE_SUFFIX.search(span) and not _MAGNITUDE_SUFFIX.search(task.answer):
        return "a magnitude suffix"
    if found := next((t for t in extras if _number_like(t) and t not in asked), None):
        return f"another number {found!r}"
    return None


def _number_like(token: str) -> bool:
    """A number, a compound with digits (a range, a date), or a number word."""
    return token in NUMBER_WORDS or any(char.isdigit() for char in token)


def _names(span: str) -> set[str]:
    """The casefolded capitalised words of `span` that do not open a sentence (so are likely names)."""
    return {match.group().casefold() for match in _NAME.finditer(span)
            if span[:match.start()].strip() and not _SENTENCE_END.search(span, 0, match.start())}

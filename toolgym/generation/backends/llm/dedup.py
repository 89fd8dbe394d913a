"""Near-duplicate questions: two questions are near-duplicates when the Jaccard similarity of their word sets
(casefolded, punctuation dropped) reaches the threshold (default 0.9; 1.0 keeps all but exact repeats of words).

Questions are compared within one domain, in task order, so which copy is kept does not depend on the order
requests finished in. Quadratic per domain, with a size filter (|A|/|B| >= t is necessary), ample for thousands.
"""

from __future__ import annotations

import re

DEFAULT_THRESHOLD = 0.9
_WORD = re.compile(r"\w+")


def words(question: str) -> frozenset[str]:
    return frozenset(_WORD.findall(question.casefold()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicates(questions: list[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD) -> set[int]:
    """Indices of the (group, question) pairs that repeat an earlier question of their group."""
    if not 0 < threshold <= 1:
        raise ValueError(f"the dedup threshold must be in (0, 1], got {threshold}")
    kept: dict[str, list[frozenset[str]]] = {}
    duplicates = set()
    for i, (group, question) in enumerate(questions):
        mine, seen = words(question), kept.setdefault(group, [])
        if any(min(len(mine), len(w)) >= threshold * max(len(mine), len(w)) and jaccard(mine, w) >= threshold
               for w in seen):
            duplicates.add(i)
        else:
            seen.append(mine)
    return duplicates

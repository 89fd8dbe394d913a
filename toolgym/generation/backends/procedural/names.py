"""Invented words for entity names: pronounceable, and absent from any model's memory."""

from __future__ import annotations

import random
import re

ONSETS = ("b", "br", "d", "dr", "f", "g", "gr", "k", "kr", "l", "m", "n", "p", "pr", "r", "s", "st", "t", "tr",
          "v", "z", "th", "sh", "qu")
VOWELS = ("a", "e", "i", "o", "u", "ae", "io", "ou")
CODAS = ("", "", "", "n", "r", "l", "s", "k", "m", "x", "th")
SYLLABLES = (2, 3)
# Syllables combine freely, so a few unfortunate words can appear; they are redrawn.
BLOCKED = ("porn", "sex", "nazi", "shit", "fuck", "cunt", "dick", "cock", "rape", "slut", "whore", "kill", "anus")
_BLOCKED = re.compile("|".join(BLOCKED))
# Every onset-vowel-coda combination once (repeated codas keep their weight): one draw per syllable.
_SYLLABLE_TABLE = tuple(o + v + c for o in ONSETS for v in VOWELS for c in CODAS)


def invent_word(rng: random.Random) -> str:
    """A capitalized word of two or three syllables, e.g. 'Zelmora'."""
    choice = rng.choice
    return "".join([choice(_SYLLABLE_TABLE) for _ in range(choice(SYLLABLES))]).capitalize()


def invent_unique(rng: random.Random, taken: set[str]) -> str:
    """A word not in `taken` (compared case-insensitively) and free of blocked substrings; added to `taken`."""
    while True:
        word = invent_word(rng)
        key = word.lower()
        if key not in taken and not _BLOCKED.search(key):
            taken.add(key)
            return word

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


_TABLE_SIZE = len(_SYLLABLE_TABLE)
_TABLE_BITS = _TABLE_SIZE.bit_length()
_COUNT_BITS = len(SYLLABLES).bit_length()


def invent_word(rng: random.Random) -> str:
    """A capitalized word of two or three syllables, e.g. 'Zelmora'.

    The words of `rng.choice(SYLLABLES)` syllables of `rng.choice(_SYLLABLE_TABLE)`, drawn as `Random.choice`
    draws (rejection sampling on `getrandbits` of the length's bit length, CPython 3.10-3.13), inline: two Python
    calls less per syllable in the generator's hottest loop. A test holds it equal to the `choice` form."""
    getrandbits = rng.getrandbits
    r = getrandbits(_COUNT_BITS)
    while r >= len(SYLLABLES):
        r = getrandbits(_COUNT_BITS)
    parts = []
    for _ in range(SYLLABLES[r]):
        r = getrandbits(_TABLE_BITS)
        while r >= _TABLE_SIZE:
            r = getrandbits(_TABLE_BITS)
        parts.append(_SYLLABLE_TABLE[r])
    return "".join(parts).capitalize()


def invent_unique(rng: random.Random, taken: set[str]) -> str:
    """A word not in `taken` (compared case-insensitively) and free of blocked substrings; added to `taken`."""
    while True:
        word = invent_word(rng)
        key = word.lower()
        if key not in taken and not _BLOCKED.search(key):
            taken.add(key)
            return word

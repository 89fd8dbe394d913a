"""Does a text contain an expected answer? Two matchers with one signature, `(expected, output) -> bool`.

* `ftrl_match` is the reference's `answer_verify`: plain substring search after lower-casing and removing commas.
  "12" is found in "112", in "12.5" and in an error message that quotes the argument "12".
* `strict_match` reads both texts as tokens (words, numbers, and compound tokens such as dates) and looks for the
  expected tokens as a contiguous run of the output's tokens. Numbers compare by value: "2,048", "2048.0" and
  "2,048.00" are one number; "12" is not "112", "12.5", "120" or "a12".

Both keep the reference's convention that an expected answer "a, b" means "a" and "b", each anywhere in the
output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

PIECE_SEPARATOR = ", "  # the reference splits a multi-part expected answer on exactly this

# One token per match: (word, compound, number), exactly one group non-empty. Compound tokens are tried before
# numbers so that a date never yields the negative numbers "-03" and "-04", and a version "1.2.3" is not read as
# 1.2 followed by 3. Speed: the leading lookahead lets the engine skip spaces and punctuation at once, and every
# branch starts by consuming a character (the sign's lookbehind comes after it) for the same reason.
_TOKEN = re.compile(r"""
    (?=[\w.\-\u2212])
    (?: ([^\W\d]\w*)                               # word: starts with a letter or _, runs through digits ("a12")
      | (\d+ (?:[-/:]\d+)+                           # compound: 2025-03-04, 03/04/2025, 10:30, 555-1234, 3-5
        | \d+ \. \d+ (?:\.\d+)+)                     #   1.2.3, 192.168.0.1
      | ( (?: [-\u2212] (?<![\w.][-\u2212]) )?       # number: a sign only where no word or number precedes it
            (?: \d{1,3} (?:,\d{3})+ (?!\d) | \d+ )    #   2,048 and 1,000,000 (threes only: "12,13" is two)
            (?: \.\d+ )?
            (?: [eE] [-+]? \d{1,2} (?!\w) )?              #   918e3, 9.18E+2: compared by value
        | \. (?<![\w.]\.) \d+ )                       #   .5
    )
""", re.VERBOSE)


@dataclass(frozen=True, slots=True)
class Tokens:
    """A tokenised text: `key` is the tokens joined and framed by spaces (tokens never contain spaces), so a
    contiguous run of tokens is a plain substring of it; `numbers` holds the canonical plain numbers."""

    key: str
    count: int
    numbers: frozenset[str]


def canonical_number(text: str) -> str:
    """The canonical spelling of a number token: no grouping commas, no leading or trailing zeros, ASCII sign.

    >>> canonical_number("2,048.00"), canonical_number("-0.50"), canonical_number("007"), canonical_number(".5")
    ('2048', '-0.5', '7', '0.5')
    >>> canonical_number("918e3"), canonical_number("9.18E+2"), canonical_number("5e-2")
    ('918000', '918', '0.05')
    """
    text = text.replace(",", "")
    if "e" in text or "E" in text:  # at most two exponent digits (the token's pattern): the plain form stays short
        text = format(Decimal(text.replace("\u2212", "-")), "f")
    sign = ""
    if text[0] in "-\u2212":
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    number = f"{whole}.{fraction}" if fraction else whole
    return "0" if number == "0" else sign + number


# Spelled-out units read as the abbreviations the generator writes ("4,307 meters" states "4,307 m"). Both sides
# of every match go through the same table, so it only ever joins spellings of one unit; "s", "h" and "ha" alone
# are left out (a possessive, an hour or a hectare are too ambiguous as single letters).
UNIT_SPELLINGS = {
    **dict.fromkeys(("meter", "meters", "metre", "metres"), "m"),
    **dict.fromkeys(("kilometer", "kilometers", "kilometre", "kilometres", "kms"), "km"),
    **dict.fromkeys(("centimeter", "centimeters", "centimetre", "centimetres"), "cm"),
    **dict.fromkeys(("millimeter", "millimeters", "millimetre", "millimetres"), "mm"),
    **dict.fromkeys(("minute", "minutes", "mins"), "min"),
    **dict.fromkeys(("gram", "grams", "gramme", "grammes"), "g"),
    **dict.fromkeys(("kilogram", "kilograms", "kilogramme", "kilogrammes", "kgs"), "kg"),
    **dict.fromkeys(("hour", "hr", "hrs"), "hours"),
    **dict.fromkeys(("second", "sec", "secs"), "seconds"),
    "day": "days", "year": "years", "yrs": "years", "hectare": "hectares", "tonne": "tonnes", "acre": "acres",
    "square": "sq", "foot": "ft", "feet": "ft", "megawatt": "mw", "megawatts": "mw",
}

CACHED_TEXT_CHARS = 4096  # longer texts are tokenised every time: the cache must not hold huge tool outputs


def tokenize(text: str) -> Tokens:
    """Tokens of `text`. Cached for texts up to CACHED_TEXT_CHARS: expected answers, questions and repeated tool
    outputs are tokenised once.

    >>> tokenize("Flight ZX-101 costs $2,048.00 on 2025-03-04.").key
    ' flight zx 101 costs 2048 on 2025-03-04 '
    """
    if len(text) <= CACHED_TEXT_CHARS:
        return _tokenize_cached(text)
    return _tokenize(text)


def _tokenize(text: str) -> Tokens:
    """Uncached tokenisation (see `tokenize`)."""
    tokens, numbers = [], []
    for word, compound, number in _TOKEN.findall(text):
        if word:
            word = word.casefold()
            tokens.append(UNIT_SPELLINGS.get(word, word))
        elif compound:
            tokens.append(compound)
        else:
            if number[0] == "0" or not number.isdigit():  # most numbers are plain and already canonical
                number = canonical_number(number)
            tokens.append(number)
            numbers.append(number)
    return Tokens(f" {' '.join(tokens)} ", len(tokens), frozenset(numbers))


_tokenize_cached = lru_cache(maxsize=4096)(_tokenize)


def tokens(text: str) -> tuple[str, ...]:
    """The tokens of `text` as a tuple (for inspection and tests).

    >>> tokens("New-York's 12th, 12.50 and a12")
    ('new', 'york', 's', '12', 'th', '12.5', 'and', 'a12')
    """
    return tuple(tokenize(text).key.split())


@lru_cache(maxsize=4096)
def _pieces(expected: str) -> tuple[Tokens | str, ...]:
    """The parts of an expected answer, tokenised. A part with no token at all ("?", "") stays a casefolded
    string, matched as a substring; an empty part matches anything, as in the reference."""
    parts = []
    for piece in expected.split(PIECE_SEPARATOR):
        piece_tokens = tokenize(piece)
        parts.append(piece_tokens if piece_tokens.count else piece.strip().casefold())
    return tuple(parts)


def strict_match(expected: str, output: str) -> bool:
    """Token-bounded, number-aware match: every `", "`-separated part of `expected` occurs in `output` as a
    contiguous run of tokens. Case and punctuation around tokens are ignored.

    >>> strict_match("2,048", "total: 2048.0 USD"), strict_match("12", "112 or 12.5")
    (True, False)
    >>> strict_match("New York", "NEW-YORK!"), strict_match("New York", "York, New")
    (True, False)
    >>> strict_match("4,307 m", "a runway of 4,307 meters"), strict_match("85 min", "85 minutes")
    (True, True)
    """
    return tokens_match(expected, tokenize(output), output.casefold)


def tokens_match(expected: str, haystack: Tokens, casefolded: Callable[[], str]) -> bool:
    """`strict_match` against an output already tokenised (`haystack`); `casefolded()` gives the casefolded
    output, asked for only by a part of `expected` without tokens (rare)."""
    for piece in _pieces(expected):
        if isinstance(piece, Tokens):
            if piece.key not in haystack.key:
                return False
        elif piece not in casefolded():
            return False
    return True


def joined_tokens(parts: Sequence[Tokens]) -> Tokens:
    """The tokens of texts joined by boundaries no token reads across, from the tokens of each text.

    A boundary is safe when the characters on both sides of it can neither join a token nor change how one is
    read (a sign's or a dot's lookbehind, a number's lookahead): a newline between any texts, or `[`, `,` and
    `]` between JSON objects (each starts with `{` and ends with `}`). A property test holds this equal to
    tokenising the joined text, which costs a full pass of the tokenizer over text whose parts are remembered."""
    inner = [p.key[1:-1] for p in parts if p.count]
    return Tokens(f" {' '.join(inner)} ", sum(p.count for p in parts), frozenset().union(*(p.numbers for p in parts)))


def ftrl_match(expected: str, output: str) -> bool:
    """The reference's `answer_verify`, exactly: split `expected` on ", ", lower-case and drop commas from both
    sides, match when every part is a substring of the output.

    >>> ftrl_match("12", "Error: 112 is not a valid id"), ftrl_match("Paris, 2,048", "paris costs 2048")
    (True, True)
    """
    text = output.lower().replace(",", "")
    return all(part.lower().replace(",", "").strip() in text for part in expected.split(PIECE_SEPARATOR))

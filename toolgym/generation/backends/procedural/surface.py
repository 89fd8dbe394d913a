"""Tool surfaces: how a task's API names its tools and their subject parameter, drawn per (task, entity kind).

Real APIs differ in verbs (get, fetch, lookup, query, ...), case (`get_hotel_price`, `getHotelPrice`) and how the
entity is passed (`hotel`, `hotel_name`, `hotelName`, `name`). A task keeps one surface per kind, so its tools
read like one consistent API, while tasks differ: each kind of each domain comes in SURFACES_PER_KIND surfaces
(drawn once from a stable hash), as if a few providers served it. Few enough that a stream's tool documents recur
(their checked specs, vocabularies and compiled code are remembered), many enough that 200 tasks over all domains
show over a thousand tool names. Near-duplicate distractors change the verb or add a suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from toolgym.generation.context import GenerationContext, stable_seed

VERBS = ("get", "fetch", "lookup", "query", "find", "retrieve", "read", "describe")
SEARCH_VERBS = ("search", "find", "search_for")  # a search tool's verb, drawn with the kind's lookup verb
MERGED_SUFFIXES = ("info", "details", "record", "profile")
SUBJECT_STYLES = ("{noun}", "{noun}_name", "name")
NEAR_DUPLICATE_SUFFIXES = ("v2", "cached", "legacy")
NEAR_DUPLICATE_PATTERNS = ("other_verb",) + NEAR_DUPLICATE_SUFFIXES


@dataclass(frozen=True)
class Surface:
    """One kind's naming in one task."""

    verb: str
    camel: bool
    merged_suffix: str
    subject_style: str
    by_id: bool = False  # the kind's tools take `<noun>_id` (found by its search tool) instead of a name

    def words(self, *parts: str) -> str:
        """`parts` (snake_case pieces) joined in this surface's case."""
        snake = "_".join(parts)
        if not self.camel:
            return snake
        first, *rest = snake.split("_")
        return first + "".join(w.capitalize() for w in rest)

    def lookup_name(self, noun: str, field: str) -> str:
        return self.words(self.verb, noun, field)

    def merged_name(self, noun: str) -> str:
        return self.words(self.verb, noun, self.merged_suffix)

    def subject(self, noun: str) -> str:
        if self.by_id:
            return self.words(noun, "id")
        return self.words(self.subject_style.format(noun=noun))

    def search_name(self, noun: str) -> str:
        """`search_hotels`, or `findHotels` where the kind's lookups read `find...`-like verbs."""
        return self.words(SEARCH_VERBS[VERBS.index(self.verb) % len(SEARCH_VERBS)], plural(noun))

    def list_name(self, noun: str) -> str:
        """`list_hotels` (or `listHotels`)."""
        return self.words("list", plural(noun))

    def with_ids(self) -> Surface:
        """This surface, taking ids."""
        return replace(self, by_id=True)


PLAIN = Surface("get", False, "info", "{noun}")  # toolgym's original surface: get_<noun>_<field>(<noun>)


SURFACES_PER_KIND = 4  # the APIs a kind's tools come in, per domain: varied, yet recurring (cheap to generate)


def surface_for(ctx: GenerationContext | None, noun: str, id_kinds: tuple[str, ...] = ()) -> Surface:
    """The surface of kind `noun` in the task of `ctx` (PLAIN without a context): one of the kind's few APIs,
    taking ids when `noun` is one of the task's `id_kinds`."""
    if ctx is None:
        return PLAIN.with_ids() if noun in id_kinds else PLAIN
    surface = kind_surfaces(ctx.domain, noun)[ctx.key(f"surface:{noun}") % SURFACES_PER_KIND]
    return surface.with_ids() if noun in id_kinds else surface


def plural(noun: str) -> str:
    """'hotel' -> 'hotels', 'city' -> 'cities', 'fashion_house' -> 'fashion_houses', 'species' unchanged."""
    if noun.endswith("species"):
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


@lru_cache(maxsize=1024)
def kind_surfaces(domain: str, noun: str) -> tuple[Surface, ...]:
    """The SURFACES_PER_KIND surfaces of a kind, each drawn from a stable hash (one hash, four small draws)."""
    surfaces = []
    for j in range(SURFACES_PER_KIND):
        key = stable_seed("surface", domain, noun, j)
        surfaces.append(_SURFACES[(key % len(VERBS), (key >> 8) % 2 == 1, (key >> 16) % len(MERGED_SUFFIXES),
                                   (key >> 24) % len(SUBJECT_STYLES))])
    return tuple(surfaces)


_SURFACES = {(v, c, m, s): Surface(VERBS[v], c, MERGED_SUFFIXES[m], SUBJECT_STYLES[s])
             for v in range(len(VERBS)) for c in (False, True) for m in range(len(MERGED_SUFFIXES))
             for s in range(len(SUBJECT_STYLES))}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(name: str) -> str:
    """`getHotelPrice` -> `get_hotel_price` (snake names unchanged)."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def near_duplicate_name(name: str, pattern: str) -> str:
    """A name like `name`: another verb, or a version suffix, in the same case."""
    camel = "_" not in name and name != name.lower()
    if pattern == "other_verb":
        verb = next((v for v in VERBS if snake(name).startswith(v + "_")), "")
        other = VERBS[(VERBS.index(verb) + 1) % len(VERBS)] if verb else VERBS[1]
        rest = name[len(verb):] if verb else ("_" + name if not camel else name[:1].upper() + name[1:])
        return other + rest
    return name + (pattern.capitalize() if camel else "_" + pattern)

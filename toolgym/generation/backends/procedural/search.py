"""Search and list tools, the most common real tool pattern besides lookups (generator 0.3.0, levels 2 and up).

* A **search** finds entities of a kind by (part of) their name and answers candidates with their ids, a page at
  a time: `search_hotels(query="Hotel Brask")` -> `{"results": [{"id": "hotel_48213", "name": "Hotel Brask"},
  {"id": "hotel_20931", "name": "Hotel Braskia"}], "page": 1, "pages": 2, "total": 3}`. The searched name has
  homonyms (names that contain it), so the agent must choose the exact name among candidates, and results are
  ordered by id, so the one it wants is on a later page about half the time. That kind's lookups then take the
  id (`get_hotel_price(hotel_id="hotel_48213")`), and answer a name with a wrong-format error naming the search.
* A **list** gives every entity of a kind whose link is a given entity, optionally filtered by a category:
  `list_hotels(city="Zelmora", style="art deco")` -> `{"results": [{"name": ..., "style": ...}, ...]}`. Its
  answer is a list ("Hotel Quell, Hotel Mirra"), judged as a set.

Documents never name an entity, an id or a value, so none can leak an answer.
"""

from __future__ import annotations

import random
from functools import lru_cache

from toolgym.generation.backends.procedural.surface import Surface, plural
from toolgym.generation.domains import Category, Domain, EntityKind
from toolgym.generation.models import Param, Scenario, ToolDocument

PAGE_SIZE = 2        # search results per page: a handful of candidates spans two pages
MAX_PAGE = 20
QUERY_PARAM = "query"
PAGE_PARAM = "page"
ID_FIELD = "id"      # what a search answers (and the key under which an id lookup returns the id)
ID_DIGITS = 5
HOMONYM_ENDINGS = ("a", "en", "ia", "or", "ek", "ine", "o", "ar")
HOMONYM_QUALIFIERS = ("North", "East", "South", "West", "Central", "Annex", "Heights", "Park")


def new_id(noun: str, rng: random.Random, taken: set[str]) -> str:
    """A fresh id such as `hotel_48213`: one word token, so no numeric answer can match inside it."""
    while True:
        value = f"{noun}_{rng.randrange(10 ** (ID_DIGITS - 1), 10 ** ID_DIGITS)}"
        if value not in taken:
            taken.add(value)
            return value


def homonym_names(style: str, word: str, count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """`count` fresh names that contain the name `style.format(word)`, so a search for it finds them too: a
    longer word where the style ends in it ("Hotel Brask" -> "Hotel Braskia"), else a qualifier after the name
    ("Brask Airport" -> "Brask Airport North")."""
    if style.endswith("{}"):
        endings = [e for e in HOMONYM_ENDINGS if (word + e).lower() not in taken]
        words = [word + e for e in rng.sample(endings, min(count, len(endings)))]
        taken.update(w.lower() for w in words)
        return [style.format(w) for w in words]
    return [f"{style.format(word)} {q}" for q in rng.sample(HOMONYM_QUALIFIERS, count)]


def result_page(rows: list[tuple[str, str]], name: str) -> int:
    """The page of a search for `name` holding `name`, over (id, name) rows, as the tool pages them (matched by
    case-insensitive substring, sorted by id)."""
    found = [row for row in sorted(rows) if name.lower() in row[1].lower()]
    position = next(i for i, row in enumerate(found) if row[1] == name)
    return position // PAGE_SIZE + 1


# --- documents -------------------------------------------------------------------------------------------------

_QUERY = Param(name=QUERY_PARAM, type_class="string", description="Name, or part of a name, to search for.",
               schema={"type": "string"}, required=True)
_PAGE = Param(name=PAGE_PARAM, type_class="integer", description=f"Result page, from 1 ({PAGE_SIZE} results a "
              "page).", schema={"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})


@lru_cache(maxsize=4096)
def search_document(kind: EntityKind, serves: tuple[str, ...], surface: Surface) -> ToolDocument:
    """`search_<nouns>(query, page)`: candidates with their ids."""
    label = plural(kind.noun).replace("_", " ")
    lookups = surface.subject(kind.noun)
    return ToolDocument(name=surface.search_name(kind.noun), role="search", kind=kind.noun, fields=(ID_FIELD,),
                        description=f"Search {label} by name. Returns matching candidates (id and name), ordered "
                                    f"by id, one page at a time; other {kind.label} tools take the id as "
                                    f"'{lookups}'.",
                        params=(_QUERY, _PAGE), serves=serves)


def link_param(target: EntityKind, surface: Surface) -> Param:
    """The required parameter of a list tool naming the linked entity."""
    return _link_param(target, surface.words(target.noun))


@lru_cache(maxsize=1024)
def _link_param(target: EntityKind, name: str) -> Param:
    return Param(name=name, type_class="string", description=f"Name of the {target.label}.",
                 schema={"type": "string"}, required=True)


@lru_cache(maxsize=1024)
def filter_param(category: Category, name: str) -> Param:
    """The optional category filter of a list tool."""
    return Param(name=name, type_class="enum", description=f"Only those with this {category.label} (default: "
                                                           "any).", schema={"type": "string",
                                                                            "enum": list(category.values)})


@lru_cache(maxsize=4096)
def list_document(domain: Domain, kind: EntityKind, field: str, serves: tuple[str, ...], surface: Surface
                  ) -> ToolDocument:
    """`list_<nouns>(<target>, <category>)`: every entity linked to a target, optionally of one category."""
    target = domain.next_kind(kind.noun)
    category = kind.attribute(field)
    assert isinstance(category, Category) and kind.link is not None
    label = plural(kind.noun).replace("_", " ")
    return ToolDocument(name=surface.list_name(kind.noun), role="list", kind=kind.noun, fields=(field,),
                        description=f"List the {label} whose {kind.link.name.replace('_', ' ')} is a given "
                                    f"{target.label}, with their {category.label}; optionally only those of one "
                                    f"{category.label}.",
                        params=(link_param(target, surface), filter_param(category, surface.words(field))),
                        serves=serves)


# --- code ------------------------------------------------------------------------------------------------------

SEARCH_BODY = """    key = str({query}).strip().lower()
    if not key:
        return "Error: '{query}' must name (part of) a %s's name." % _NOUN
    found = [row for row in _ROWS if key in row[1].lower()]
    if not found:
        return "Error: no %s matches %r." % (_NOUN, {query})
    pages = (len(found) + _PAGE_SIZE - 1) // _PAGE_SIZE
    if {page} > pages:
        return "Error: page %d is past the last page (%d) of results for %r." % ({page}, pages, {query})
    rows = found[({page} - 1) * _PAGE_SIZE:{page} * _PAGE_SIZE]
    return {{"query": {query}, "page": {page}, "pages": pages, "total": len(found),
            "results": [{{"id": row[0], "name": row[1]}} for row in rows]}}
"""

LIST_BODY = """    key = str({target}).strip().lower()
    if key not in _TARGETS:
        close = difflib.get_close_matches(key, list(_TARGETS), n=1, cutoff=0.75)
        hint = " Did you mean %r?" % _TARGETS[close[0]] if close else ""
        return "Error: unknown %s %r.%s" % (_TARGET, {target}, hint)
    rows = [row for row in _ROWS if row[1] == key and ({match} is None or row[2] == {match})]
    return {{{target!r}: _TARGETS[key], {match!r}: {match} or "any", "count": len(rows),
            "results": [{{"name": row[0], {field!r}: row[2]}} for row in rows]}}
"""


def search_rows(doc: ToolDocument, scenario: Scenario) -> list[tuple[str, str]]:
    """(id, name) of every entity of the searched kind, sorted by id (the order results are shown in)."""
    return sorted((str(e.values[ID_FIELD]), e.name) for e in scenario.world[doc.kind or ""])


def list_rows(doc: ToolDocument, scenario: Scenario, domain: Domain) -> tuple[list[tuple[str, str, str]],
                                                                              dict[str, str]]:
    """(name, linked target's key, category) per listed entity, and target key -> target name."""
    kind = domain.kind(doc.kind or "")
    assert kind.link is not None
    field = doc.fields[0]
    rows = [(e.name, str(e.values[kind.link.name]).lower(), str(e.values[field])) for e in scenario.world[kind.noun]]
    targets = {e.name.lower(): e.name for e in scenario.world[domain.next_kind(kind.noun).noun]}
    return rows, targets

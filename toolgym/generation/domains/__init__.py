"""Domains: the topics tasks are about, one small data-only module each.

Recipe for a new domain (three files):

1. Write `toolgym/generation/domains/<name>.py` defining `DOMAIN = Domain(...)` (see `travel.py`): three
   `EntityKind`s chained by `Link`s (`kinds[0] -> kinds[1] -> kinds[2]`, the last has no link), each with about
   five attributes (labels read after "the"): two numeric `Attribute`s (choose ranges whose values have 2+ digits
   so answers do not collide with small numbers in tool documents), one with a `unit`, a `Category` (a fixed
   vocabulary of lower-case words no tool document uses) and a `DateAttribute`; and a few `extra_params` built
   with the helpers of `params.py`. Entity names are invented by the backend and formatted with `name_style`
   ("Hotel {}"). Nouns are snake_case identifiers and unique within the domain; labels avoid ", ".
2. Add the module name to `DOMAIN_MODULES` below (one line).
3. Add `tests/unit/generation/domains/test_<name>.py` calling `check_domain("<name>")` from
   `tests/unit/generation/domain_checks.py`, which generates every level and checks replay, leaks and structure.

Everything else (questions, tool documents, code, distractors, levels) is derived from that data.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from toolgym.errors import UnknownNameError
from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link, ParamSpec

DOMAIN_MODULES: tuple[str, ...] = (
    "travel",
    "finance",
    "weather",
    "shopping",
    "health",
    "education",
    "sports",
    "entertainment",
    "food",
    "real_estate",
    "aviation",
    "publishing",
    "music",
    "astronomy",
    "railways",
    "maritime",
    "agriculture",
    "art",
    "automotive",
    "energy",
    "gaming",
    "wildlife",
    "software",
    "fashion",
    "coffee",
    "spaceflight",
    "news",
    "mountaineering",
    "civic",
    "logistics",
    "wine",
    "theatre",
)


RESERVED_NAMES = frozenset({"field", "operation", "values"})  # parameters the generator adds itself


def domain_problems(domain: Domain) -> list[str]:
    """What makes `domain` unusable: name clashes that would break tool signatures or outputs, a broken chain."""
    from toolgym.generation.domains.params import GENERIC_PARAMS  # params imports base, not this package

    kind_params = tuple(p for k in domain.kinds for p in k.params)
    params = {p.name for p in GENERIC_PARAMS + domain.extra_params + kind_params} | RESERVED_NAMES
    nouns = [k.noun for k in domain.kinds]
    problems = [f"noun {n!r} is not a snake_case identifier" for n in nouns if not n.isidentifier() or n != n.lower()]
    problems += [f"noun {n!r} clashes with a parameter name" for n in nouns if n in params]
    problems += ["nouns must be distinct"] if len(set(nouns)) != len(nouns) else []
    for kind in domain.kinds:
        fields = kind.fields
        # a lookup returns {noun: name, field: value}: a field named like its own noun would overwrite the name
        problems += [f"{kind.noun}: a field is named like its kind" for f in fields if f == kind.noun]
        problems += [f"{kind.noun}: fields must be distinct"] if len(set(fields)) != len(fields) else []
        problems += _attribute_problems(kind)
    problems += [f"question wrapper {w!r} needs exactly one {{}}" for w in domain.question_wrappers
                 if w.count("{}") != 1]
    if domain.kinds[-1].link is not None or any(k.link is None for k in domain.kinds[:-1]):
        problems.append("kinds must form a chain: every kind but the last has a link")
    return problems


def _attribute_problems(kind: EntityKind) -> list[str]:
    problems = [] if kind.numeric_attributes else [f"{kind.noun}: needs a numeric attribute (parallel questions "
                                                   "aggregate one)"]
    for a in kind.attributes:
        where = f"{kind.noun}.{a.name}"
        if isinstance(a, Attribute) and a.low > a.high:
            problems.append(f"{where}: empty range")
        if isinstance(a, Category) and (len(set(a.values)) < 2 or any(", " in v or not v.strip() for v in a.values)):
            problems.append(f"{where}: a category needs 2+ distinct values, none empty or containing ', '")
        if isinstance(a, DateAttribute) and a.first_year > a.last_year:
            problems.append(f"{where}: empty range of years")
    return problems


@lru_cache(maxsize=None)
def _load() -> dict[str, Domain]:
    domains = {}
    for module_name in DOMAIN_MODULES:
        domain = importlib.import_module(f"{__name__}.{module_name}").DOMAIN
        if problems := domain_problems(domain):
            raise ValueError(f"domain module {module_name!r} is invalid: {'; '.join(problems)}")
        domains[domain.name] = domain
    return domains


def get_domain(name: str) -> Domain:
    """The registered domain called `name`; raises `UnknownNameError` listing the known ones."""
    domains = _load()
    if name not in domains:
        raise UnknownNameError("domain", name, list(domains))
    return domains[name]


def domain_names() -> tuple[str, ...]:
    """Names of every registered domain, in registration order."""
    return tuple(_load())


__all__ = ["Attribute", "Category", "DOMAIN_MODULES", "DateAttribute", "Domain", "EntityKind", "Link", "ParamSpec",
           "domain_names", "domain_problems", "get_domain"]

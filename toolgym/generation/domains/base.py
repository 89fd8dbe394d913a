"""The vocabulary a domain module is written in: entity kinds, their attributes and links, extra parameters.

A domain is pure data. Its kinds form a chain `kinds[0] -> kinds[1] -> kinds[2]` through each kind's `link`, so
the procedural backend can build multi-hop questions ("the population of the city where Hotel Brask is located")
and join chains of different lengths that end in the same attribute. Attributes are numbers (`Attribute`, which
parallel questions aggregate and compare), quantities written with their unit (`Attribute(..., unit="m")`: "1,240
m"), categories (`Category`: one word of a fixed vocabulary) and dates (`DateAttribute`: ISO dates); a link's
value is the name of an entity of the next kind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

QUESTION_WRAPPERS = ("What is {}?", "Can you tell me {}?", "I need to know {}.", "Please find {}.")


@dataclass(frozen=True)
class Attribute:
    """A numeric property of an entity kind: `label` reads after "the" ("nightly price in USD"), values are
    drawn uniformly from `[low, high]` (integers) or rounded to `decimals` places when `decimals > 0`. With a
    `unit` the value is a quantity, text such as "1,240 m" (the label then names no unit: "elevation"); only
    plain numbers are aggregated."""

    name: str
    label: str
    low: int
    high: int
    decimals: int = 0
    unit: str = ""

    @property
    def numeric(self) -> bool:
        """Whether values are plain numbers (what parallel questions aggregate and compare)."""
        return not self.unit

    def phrase(self, subject: str) -> str:
        """The noun phrase asking for this attribute of `subject`."""
        return f"the {self.label} of {subject}"

    def draw(self, rng: random.Random) -> int | float | str:
        """A value in range: an integer, or rounded to `decimals` places; with its unit when it has one."""
        number = self.low + (self.high - self.low) * rng.random()  # rng.uniform's documented formula, one call less
        value = round(number, self.decimals) if self.decimals else round(number)
        return f"{value:,} {self.unit}" if self.unit else value


@dataclass(frozen=True)
class Category:
    """A property whose value is one word (or short phrase) of `values`, e.g. a cuisine or a colour. Values must
    not contain ", " and should be words no tool document uses (they would leak)."""

    name: str
    label: str
    values: tuple[str, ...]
    numeric = False

    def phrase(self, subject: str) -> str:
        return f"the {self.label} of {subject}"

    def draw(self, rng: random.Random) -> str:
        return rng.choice(self.values)


@dataclass(frozen=True)
class DateAttribute:
    """A date between 1 January of `first_year` and 28 December of `last_year`, as ISO text ("2031-04-12")."""

    name: str
    label: str
    first_year: int
    last_year: int
    numeric = False

    def phrase(self, subject: str) -> str:
        return f"the {self.label} of {subject}"

    def draw(self, rng: random.Random) -> str:
        # one draw: year, month and day from a single integer (days up to 28 exist in every month)
        n = rng.randrange((self.last_year - self.first_year + 1) * 12 * 28)
        year, rest = divmod(n, 12 * 28)
        return f"{self.first_year + year:04d}-{rest // 28 + 1:02d}-{rest % 28 + 1:02d}"


AnyAttribute = Attribute | Category | DateAttribute


@dataclass(frozen=True)
class Link:
    """A relation to one entity of the next kind; `phrase` has one `{}` for the subject, e.g.
    "the city where {} is located"."""

    name: str
    phrase_template: str

    def phrase(self, subject: str) -> str:
        """The noun phrase naming the linked entity of `subject`."""
        return self.phrase_template.format(subject)


@dataclass(frozen=True, eq=False)  # compared by identity: specs are module constants holding dicts
class ParamSpec:
    """An optional parameter a tool may gain in complexity scaling. `type_class` is one of PARAM_TYPE_CLASSES;
    `schema` is its JSON Schema without description; `valid` is a value that passes validation (used when the
    parameter is made required and the gold plan must supply it)."""

    name: str
    type_class: str
    description: str
    schema: dict[str, Any]
    valid: Any = None


@dataclass(frozen=True)
class EntityKind:
    """One kind of entity: its parameter name (`noun`, a snake_case identifier), how names are formed
    (`name_style` with one `{}` for an invented word, e.g. "Hotel {}"), attributes, the link to the
    next kind of the domain's chain (None for the last kind), and parameters specific to its tools."""

    noun: str
    name_style: str
    attributes: tuple[AnyAttribute, ...]
    link: Link | None = None
    params: tuple[ParamSpec, ...] = ()  # optional parameters only this kind's tools may gain

    def __post_init__(self) -> None:
        # kinds key the documents' caches and are read for every task: derive what is asked for often once
        object.__setattr__(self, "_hash", hash((self.noun, self.name_style, self.attributes, self.link, self.params)))
        object.__setattr__(self, "_fields",
                           tuple(a.name for a in self.attributes) + ((self.link.name,) if self.link else ()))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    @property
    def label(self) -> str:
        """The noun as prose ("credit_card" -> "credit card")."""
        return self.noun.replace("_", " ")

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field a lookup can read: the attributes, then the link."""
        return self._fields  # type: ignore[attr-defined, no-any-return]

    def is_link(self, field: str) -> bool:
        """Whether `field` is this kind's link (its value names an entity of the next kind)."""
        return self.link is not None and field == self.link.name

    def attribute(self, name: str) -> AnyAttribute:
        """The attribute called `name`."""
        return next(a for a in self.attributes if a.name == name)

    @property
    def numeric_attributes(self) -> tuple[Attribute, ...]:
        """The attributes whose values are plain numbers."""
        return tuple(a for a in self.attributes if isinstance(a, Attribute) and a.numeric)

    def phrase(self, field: str, subject: str) -> str:
        """The noun phrase asking for `field` of `subject`, e.g. "the population of Zelmora"."""
        return self.link.phrase(subject) if self.link and self.is_link(field) else \
            self.attribute(field).phrase(subject)


@dataclass(frozen=True)
class Domain:
    """A topic: three chained entity kinds, optional parameters any of its tools may gain, and the sentences
    a question is phrased with (each has one `{}` for a noun phrase such as "the population of Zelmora")."""

    name: str
    kinds: tuple[EntityKind, EntityKind, EntityKind]
    extra_params: tuple[ParamSpec, ...] = field(default_factory=tuple)
    question_wrappers: tuple[str, ...] = QUESTION_WRAPPERS

    def kind(self, noun: str) -> EntityKind:
        """The kind whose noun is `noun`."""
        for kind in self.kinds:
            if kind.noun == noun:
                return kind
        raise KeyError(f"domain {self.name!r} has no entity kind {noun!r}")

    def next_kind(self, noun: str) -> EntityKind:
        """The kind that `noun`'s link points to."""
        index = [k.noun for k in self.kinds].index(noun)
        return self.kinds[index + 1]

"""Stage 1, procedurally: pick a structure allowed by the level, invent a world, phrase the question.

A scenario is a list of chains. A chain of `h` lookups starts at an entity named in the question, follows `h-1`
links and reads a final field (a number, a quantity, a category, a date or a linked entity); parallel chains end
in the same numeric attribute of the same kind, so an aggregation (sum, mean, ...) or a comparison of their ends is
meaningful: which entity has the larger value (when no compared entity is named in the question) or whether the
first of two is greater. Every entity on a chain is fresh, so no two lookups share an argument, and a few decoy
entities per kind keep every tool's table larger than the question needs. Wording comes from `phrasing.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from toolgym.generation.backends.procedural import phrasing
from toolgym.generation.backends.procedural.calculator import (AGGREGATE_OPERATIONS, BOOLEAN_OPERATIONS,
                                                               LABEL_OPERATIONS, PAIR_ONLY_OPERATIONS, aggregate)
from toolgym.generation.backends.procedural.names import invent_unique
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import Attribute, Category, DateAttribute, Domain, EntityKind, get_domain
from toolgym.generation.levels import LevelConfig, level_config
from toolgym.generation.models import Aggregation, GenerationRequest, Scenario, SubQuestion, Value
from toolgym.models.task import ScenarioKind

DECOYS_PER_KIND = (2, 4)
COMPARISON_SHARE = 0.8  # of parallel tasks that compare (when a comparison fits) rather than compute
POSSESSIVE_SHARE = 0.3  # of named subjects asked about as "Zelmora's population"


@dataclass(frozen=True)
class Plan:
    """The shape of a scenario: per chain its start kind index and length, the end kind and final field."""

    starts: tuple[int, ...]
    lengths: tuple[int, ...]
    end: int
    field: str


def chain_lengths(config: LevelConfig, rng: random.Random) -> list[int]:
    """Lengths of the chains, within the level's bounds and its cap on sub-answers."""
    branches = rng.randint(*config.branches)
    lengths = [rng.randint(*config.hops) for _ in range(branches)]
    if config.scenario is ScenarioKind.PARALLEL_MULTI_HOP and max(lengths) < 2:
        lengths[rng.randrange(branches)] = 2  # a parallel multi-hop needs at least one real chain
    aggregation = 1 if branches > 1 else 0
    while sum(lengths) + aggregation > config.max_sub_answers:
        longest = max(range(branches), key=lambda i: (lengths[i], i))
        lengths[longest] -= 1
    return lengths


def plan_scenario(domain: Domain, config: LevelConfig, rng: random.Random) -> Plan:
    """Choose chain starts, the end kind and the final field for the given lengths."""
    lengths = chain_lengths(config, rng)
    longest = max(lengths)
    last = len(domain.kinds) - 1
    if len(lengths) == 1:
        start = rng.randint(0, last - longest + 1)
        end = start + longest - 1
        return Plan((start,), (longest,), end, rng.choice(domain.kinds[end].fields))
    end = rng.randint(longest - 1, last)
    starts = tuple(end - h + 1 for h in lengths)
    return Plan(starts, tuple(lengths), end, rng.choice(domain.kinds[end].numeric_attributes).name)


class WorldBuilder:
    """Invents entities with consistent values; links always point at an entity of the next kind."""

    def __init__(self, domain: Domain, rng: random.Random) -> None:
        self.domain, self.rng = domain, rng
        self.taken: set[str] = set()
        self.entities: dict[str, list[str]] = {k.noun: [] for k in domain.kinds}  # names per kind, in order
        self.names: dict[str, dict[str, Value]] = {}  # name -> field values

    def new(self, kind: EntityKind) -> str:
        """A fresh entity of `kind` with drawn attributes; returns its name."""
        name = kind.name_style.format(invent_unique(self.rng, self.taken))
        self.entities[kind.noun].append(name)
        self.names[name] = {attribute.name: attribute.draw(self.rng) for attribute in kind.attributes}
        return name

    def fill(self) -> dict[str, tuple[dict[str, Any], ...]]:
        """Add decoys, complete missing links, and freeze the world."""
        for kind in self.domain.kinds:
            for _ in range(self.rng.randint(*DECOYS_PER_KIND)):
                self.new(kind)
        for index, kind in enumerate(self.domain.kinds):
            if kind.link is None:
                continue
            targets = self.entities[self.domain.kinds[index + 1].noun]
            for name in self.entities[kind.noun]:
                self.names[name].setdefault(kind.link.name, self.rng.choice(targets))
        # plain data: the Scenario model validates it into `Entity`s (in one call, not one per entity)
        return {noun: tuple({"name": name, "values": self.names[name]} for name in names)
                for noun, names in self.entities.items()}


@dataclass(frozen=True)
class Chain:
    """One chain's lookups, its noun phrase for the question ("the population of the city where Hotel Brask is
    located") and the entity phrase its last lookup is about ("the city where Hotel Brask is located")."""

    questions: list[SubQuestion]
    phrase: str
    about: str


def build_chain(domain: Domain, world: WorldBuilder, plan: Plan, branch: int, first_id: int, rng: random.Random
                ) -> Chain:
    """The sub-questions of one chain and its phrases for the full question."""
    start, length = plan.starts[branch], plan.lengths[branch]
    subject = world.new(domain.kinds[start])
    phrase, previous, questions, about = subject, None, [], subject
    for hop in range(length):
        kind = domain.kinds[start + hop]
        field = plan.field if hop == length - 1 else kind.fields[-1]  # inner hops follow the link
        if kind.is_link(field):  # a fresh target: no two lookups of a task share an argument
            world.names[subject][field] = world.new(domain.kinds[start + hop + 1])
        value = world.names[subject][field]
        text = f"What is {kind.phrase(field, subject)}?"
        qid = f"q{first_id + hop}"
        questions.append(SubQuestion(id=qid, text=text, kind=kind.noun, subject=subject, field=field,
                                     answer=str(value), value=value, depends_on=(previous,) if previous else (),
                                     branch=branch, hop=hop))
        about = phrase
        if hop == 0 and not kind.is_link(field) and rng.random() < POSSESSIVE_SHARE:
            phrase = phrasing.attribute_phrase(kind.attribute(field).label, phrase, possessive=True)
        else:
            phrase = kind.phrase(field, phrase)
        subject, previous = str(value), qid
    return Chain(questions, phrase, about)


def _operations(chains: list[Chain]) -> tuple[list[str], list[str]]:
    """(arithmetic operations, comparisons) that fit these chains: comparisons answering with a label when no
    compared entity is named in the question (every chain has a hop before its last), else yes/no ones for two
    chains (a guessable answer: only where no label fits)."""
    arithmetic = [op for op in AGGREGATE_OPERATIONS if len(chains) == 2 or op not in PAIR_ONLY_OPERATIONS]
    if all(len(c.questions) > 1 for c in chains):
        return arithmetic, list(LABEL_OPERATIONS)
    return arithmetic, list(BOOLEAN_OPERATIONS) if len(chains) == 2 else []


def build_aggregation(chains: list[Chain], rng: random.Random) -> Aggregation:
    """An operation over the chains' last values: arithmetic, or a comparison when one fits and values differ."""
    arithmetic, comparisons = _operations(chains)
    ends = [chain.questions[-1] for chain in chains]
    values = [e.value for e in ends]
    distinct = len(set(values)) == len(values)  # a tie has no largest entity
    compare = comparisons and distinct and rng.random() < COMPARISON_SHARE
    operation = rng.choice(comparisons if compare else arithmetic)
    labels = [e.subject for e in ends] if operation in LABEL_OPERATIONS else None
    value = aggregate(operation, values, labels)  # type: ignore[arg-type]
    return Aggregation(operation=operation, depends_on=tuple(e.id for e in ends), answer=str(value), value=value,
                       labels=tuple(labels or ()))


def answer_kind(domain: Domain, question: SubQuestion) -> str:
    """What a lookup's answer is: number, quantity, date, text (a category) or entity (a linked name)."""
    kind = domain.kind(question.kind)
    if kind.is_link(question.field):
        return "entity"
    attribute = kind.attribute(question.field)
    if isinstance(attribute, DateAttribute):
        return "date"
    if isinstance(attribute, Category):
        return "text"
    return "number" if isinstance(attribute, Attribute) and attribute.numeric else "quantity"


def phrase_question(domain: Domain, chains: list[Chain], aggregation: Aggregation | None, rng: random.Random
                    ) -> str:
    """The full question, worded by `phrasing`."""
    if aggregation is None:
        ask = rng.choice(domain.question_wrappers + phrasing.ASKS).format(chains[0].phrase)
        return phrasing.compose(ask, answer_kind(domain, chains[0].questions[-1]), rng)
    phrases = [c.phrase for c in chains]
    operation = aggregation.operation
    if operation in AGGREGATE_OPERATIONS:
        return phrasing.compose(phrasing.aggregate_ask(operation, phrases, rng, domain.question_wrappers),
                                "number", rng)
    end = chains[0].questions[-1]
    label = domain.kind(end.kind).attribute(end.field).label
    ask = phrasing.comparison_ask(operation, label, phrases, [c.about for c in chains], rng)
    return phrasing.compose(ask, "entity" if operation in LABEL_OPERATIONS else "boolean", rng)


def decompose(request: GenerationRequest, ctx: GenerationContext) -> Scenario:
    """Stage 1 of the procedural backend."""
    rng = ctx.rng("decompose")
    domain, config = get_domain(request.domain), level_config(request.level)
    plan = plan_scenario(domain, config, rng)
    world = WorldBuilder(domain, rng)
    chains: list[Chain] = []
    for branch in range(len(plan.lengths)):
        chains.append(build_chain(domain, world, plan, branch, 1 + sum(len(c.questions) for c in chains), rng))
    aggregation = build_aggregation(chains, rng) if len(chains) > 1 else None
    question = phrase_question(domain, chains, aggregation, rng)
    sub_questions = tuple(q for chain in chains for q in chain.questions)
    answer = aggregation.answer if aggregation else sub_questions[-1].answer
    return Scenario(domain=domain.name, level=request.level, kind=config.scenario, question=question,
                    sub_questions=sub_questions, aggregation=aggregation, answer=answer, world=world.fill())

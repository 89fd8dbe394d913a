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
                                                               DATE_OPERATIONS, LABEL_OPERATIONS,
                                                               PAIR_ONLY_OPERATIONS, aggregate)
from toolgym.generation.backends.procedural.names import invent_unique
from toolgym.generation.backends.procedural.search import ID_FIELD, homonym_names, new_id, result_page
from toolgym.generation.context import GenerationContext
from toolgym.generation.domains import Attribute, Category, DateAttribute, Domain, EntityKind, get_domain
from toolgym.generation.levels import LevelConfig, level_config
from toolgym.generation.models import Aggregation, GenerationRequest, Scenario, SubQuestion, Value
from toolgym.models.task import ScenarioKind

DECOYS_PER_KIND = (2, 4)
COMPARISON_SHARE = 0.8  # of parallel tasks that compare (when a comparison fits) rather than compute
POSSESSIVE_SHARE = 0.3  # of named subjects asked about as "Zelmora's population"
# Generator 0.3.0, from level 2 only (level 1 stays as 0.2.0 made it: no draw below is taken there)
DATE_SHARE = 0.15       # of two-chain parallel tasks that count the days between two dates
HOMONYM_SHARE = 0.5     # of named subjects that get homonyms ("Hotel Brask", "Hotel Braskia"): partial names fail
HOMONYMS = (1, 2)
SEARCH_SHARE = 0.4      # from level 3: of tasks whose chains start with a search (name -> id), where one fits
SEARCH_HOMONYMS = (2, 4)  # a search always has candidates to choose from
LIST_SHARE = 0.25       # of level 3 tasks asking for a list (every entity linked to one, of one category)
LIST_SIBLINGS, LIST_OTHERS = (2, 3), (0, 2)  # entities of the listed kind linked to the target: matching or not


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
    dates = [a.name for a in domain.kinds[end].attributes if isinstance(a, DateAttribute)]
    if config.level >= 2 and len(lengths) == 2 and dates and rng.random() < DATE_SHARE:
        return Plan(starts, tuple(lengths), end, rng.choice(dates))  # days between two dates
    return Plan(starts, tuple(lengths), end, rng.choice(domain.kinds[end].numeric_attributes).name)


class WorldBuilder:
    """Invents entities with consistent values; links always point at an entity of the next kind."""

    def __init__(self, domain: Domain, rng: random.Random, id_kinds: tuple[str, ...] = ()) -> None:
        self.domain, self.rng, self.id_kinds = domain, rng, id_kinds
        self.taken: set[str] = set()
        self.ids: set[str] = set()
        self.entities: dict[str, list[str]] = {k.noun: [] for k in domain.kinds}  # names per kind, in order
        self.names: dict[str, dict[str, Value]] = {}  # name -> field values
        self.words: dict[str, str] = {}  # name -> the invented word it was formed of

    def new(self, kind: EntityKind, name: str | None = None) -> str:
        """A fresh entity of `kind` with drawn attributes (and an id, for a kind found by a search); returns its
        name: `name` (unique already), or one formed of a fresh invented word."""
        if name is None:
            word = invent_unique(self.rng, self.taken)
            name = kind.name_style.format(word)
            self.words[name] = word
        self.entities[kind.noun].append(name)
        self.names[name] = {attribute.name: attribute.draw(self.rng) for attribute in kind.attributes}
        if kind.noun in self.id_kinds:
            self.names[name][ID_FIELD] = new_id(kind.noun, self.rng, self.ids)
        return name

    def homonyms(self, kind: EntityKind, name: str, bounds: tuple[int, int]) -> None:
        """Add entities whose names contain `name` ("Hotel Braskia" beside "Hotel Brask")."""
        count = self.rng.randint(*bounds)
        for homonym in homonym_names(kind.name_style, self.words[name], count, self.rng, self.taken):
            self.new(kind, homonym)

    def subject(self, kind: EntityKind, level: int, searched: bool = False) -> str:
        """A fresh entity named in the question: from level 2, it may have homonyms (always, when searched)."""
        name = self.new(kind)
        if searched:
            self.homonyms(kind, name, SEARCH_HOMONYMS)
        elif level >= 2 and self.rng.random() < HOMONYM_SHARE:
            self.homonyms(kind, name, HOMONYMS)
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

    @property
    def lookups(self) -> int:
        """Lookups in the chain (a search, which only finds the first entity's id, is not one)."""
        return sum(q.role == "lookup" for q in self.questions)


def search_question(kind: EntityKind, subject: str, world: WorldBuilder, qid: str, branch: int) -> SubQuestion:
    """The search finding `subject`'s id (its page is set once the world is complete: `with_page`)."""
    found = str(world.names[subject][ID_FIELD])
    return SubQuestion(id=qid, text=f"What is the id of {subject}?", kind=kind.noun, subject=subject,
                       field=ID_FIELD, answer=found, value=found, branch=branch, hop=0, role="search")


def build_chain(domain: Domain, world: WorldBuilder, plan: Plan, branch: int, first_id: int, rng: random.Random,
                level: int = 1, searched: bool = False) -> Chain:
    """The sub-questions of one chain and its phrases for the full question. A searched chain spends its first
    hop on a search for the first entity's id, which that kind's lookups take instead of the name."""
    start, length = plan.starts[branch] + searched, plan.lengths[branch] - searched
    subject = world.subject(domain.kinds[start], level, searched)
    phrase, previous, questions, about = subject, None, [], subject
    argument = subject
    if searched:
        questions.append(search_question(domain.kinds[start], subject, world, f"q{first_id}", branch))
        previous, argument = questions[0].id, questions[0].answer
    for hop in range(length):
        kind = domain.kinds[start + hop]
        field = plan.field if hop == length - 1 else kind.fields[-1]  # inner hops follow the link
        if kind.is_link(field):  # a fresh target: no two lookups of a task share an argument
            world.names[subject][field] = world.new(domain.kinds[start + hop + 1])
        value = world.names[subject][field]
        text = f"What is {kind.phrase(field, subject)}?"
        qid = f"q{first_id + hop + searched}"
        questions.append(SubQuestion(id=qid, text=text, kind=kind.noun, subject=argument, field=field,
                                     answer=str(value), value=value, depends_on=(previous,) if previous else (),
                                     branch=branch, hop=hop + searched))
        argument = str(value)
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
    if all(c.lookups > 1 for c in chains):
        return arithmetic, list(LABEL_OPERATIONS)
    return arithmetic, list(BOOLEAN_OPERATIONS) if len(chains) == 2 else []


def build_aggregation(chains: list[Chain], rng: random.Random) -> Aggregation:
    """An operation over the chains' last values: arithmetic, or a comparison when one fits and values differ."""
    ends = [chain.questions[-1] for chain in chains]
    values = [e.value for e in ends]
    if isinstance(values[0], str):  # dates (see plan_scenario): count the days between them
        value = aggregate(DATE_OPERATIONS[0], values)
        return Aggregation(operation=DATE_OPERATIONS[0], depends_on=tuple(e.id for e in ends), answer=str(value),
                           value=value, dates=True)
    arithmetic, comparisons = _operations(chains)
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
    if operation in DATE_OPERATIONS:
        return phrasing.compose(phrasing.days_ask(phrases, rng), "number", rng)
    if operation in AGGREGATE_OPERATIONS:
        return phrasing.compose(phrasing.aggregate_ask(operation, phrases, rng, domain.question_wrappers),
                                "number", rng)
    end = chains[0].questions[-1]
    label = domain.kind(end.kind).attribute(end.field).label
    ask = phrasing.comparison_ask(operation, label, phrases, [c.about for c in chains], rng)
    return phrasing.compose(ask, "entity" if operation in LABEL_OPERATIONS else "boolean", rng)


def searchable(plan: Plan) -> bool:
    """Whether every chain can spend its first hop on a search of one kind: all start at that kind (so no chain
    meets it by a link, by name) and have a hop to spare."""
    return len(set(plan.starts)) == 1 and min(plan.lengths) >= 2


def with_page(question: SubQuestion, world: dict[str, tuple[dict[str, Any], ...]]) -> SubQuestion:
    """A search question with the page of results that holds its subject, in the complete world."""
    if question.role != "search":
        return question
    rows = [(str(e["values"][ID_FIELD]), e["name"]) for e in world[question.kind]]
    return question.model_copy(update={"page": result_page(rows, question.subject)})


def decompose(request: GenerationRequest, ctx: GenerationContext) -> Scenario:
    """Stage 1 of the procedural backend."""
    rng = ctx.rng("decompose")
    domain, config = get_domain(request.domain), level_config(request.level)
    plan = plan_scenario(domain, config, rng)
    if config.level >= 3 and len(plan.lengths) == 1 and rng.random() < LIST_SHARE and listable(domain):
        return decompose_list(domain, config, rng)
    searched = config.level >= 3 and searchable(plan) and rng.random() < SEARCH_SHARE
    id_kinds = (domain.kinds[plan.starts[0] + 1].noun,) if searched else ()
    world = WorldBuilder(domain, rng, id_kinds)
    chains: list[Chain] = []
    for branch in range(len(plan.lengths)):
        chains.append(build_chain(domain, world, plan, branch, 1 + sum(len(c.questions) for c in chains), rng,
                                  config.level, searched))
    aggregation = build_aggregation(chains, rng) if len(chains) > 1 else None
    question = phrase_question(domain, chains, aggregation, rng)
    filled = world.fill()
    sub_questions = tuple(with_page(q, filled) for chain in chains for q in chain.questions)
    answer = aggregation.answer if aggregation else sub_questions[-1].answer
    return Scenario(domain=domain.name, level=request.level, kind=config.scenario, question=question,
                    sub_questions=sub_questions, aggregation=aggregation, answer=answer, world=filled,
                    id_kinds=id_kinds)


def listable(domain: Domain) -> bool:
    """Whether a list question fits: a linked kind with a category."""
    return bool(_list_kinds(domain))


def _list_kinds(domain: Domain) -> list[int]:
    return [i for i, k in enumerate(domain.kinds) if k.link is not None
            and any(isinstance(a, Category) for a in k.attributes)]


@dataclass(frozen=True)
class ListPlan:
    """A list question's parts: the listed kind, its category, the named subject, its link's target, the value
    listed entities have, and whether the subject is found by a search."""

    kind: EntityKind
    category: Category
    subject: str
    target: str
    match: str
    searched: bool


def plan_list(domain: Domain, world: WorldBuilder, index: int, category: Category, searched: bool,
              level: int) -> ListPlan:
    """The subject, its link's target, and siblings linked to the target: some of the listed category (2-3),
    some not; the subject's own category differs from the listed one."""
    kind, rng = domain.kinds[index], world.rng
    link = kind.link
    assert link is not None  # _list_kinds keeps linked kinds only
    subject = world.subject(kind, level, searched)
    target = world.names[subject][link.name] = world.new(domain.kinds[index + 1])
    own = world.names[subject][category.name]
    match = rng.choice([v for v in category.values if v != own])
    for count, value in ((rng.randint(*LIST_SIBLINGS), match), (rng.randint(*LIST_OTHERS), None)):
        for _ in range(count):
            sibling = world.new(kind)
            world.names[sibling][link.name] = target
            world.names[sibling][category.name] = value or rng.choice([v for v in category.values if v != match])
    return ListPlan(kind, category, subject, str(target), str(match), searched)


def list_questions(plan: ListPlan, world: WorldBuilder, filled: dict[str, tuple[dict[str, Any], ...]]
                   ) -> list[SubQuestion]:
    """(search,) link lookup, list: the list's answer is every entity of the complete world that qualifies."""
    kind, link = plan.kind, plan.kind.link
    assert link is not None
    listed = phrasing.join([e["name"] for e in filled[kind.noun] if e["values"][link.name] == plan.target
                            and e["values"][plan.category.name] == plan.match], ", ")
    questions: list[SubQuestion] = []
    if plan.searched:
        questions.append(with_page(search_question(kind, plan.subject, world, "q1", 0), filled))
    argument = questions[0].answer if plan.searched else plan.subject
    questions.append(SubQuestion(id=f"q{len(questions) + 1}", text=f"What is {link.phrase(plan.subject)}?",
                                 kind=kind.noun, subject=argument, field=link.name, answer=plan.target,
                                 value=plan.target, depends_on=tuple(q.id for q in questions), branch=0,
                                 hop=len(questions)))
    questions.append(SubQuestion(id=f"q{len(questions) + 1}", text=f"Which {kind.label} entities are linked to "
                                 f"{plan.target} and have {plan.match} as {plan.category.label}?", kind=kind.noun,
                                 subject=plan.target, field=plan.category.name, answer=listed, value=listed,
                                 role="list", match=plan.match, depends_on=(questions[-1].id,), branch=0,
                                 hop=len(questions)))
    return questions


def decompose_list(domain: Domain, config: LevelConfig, rng: random.Random) -> Scenario:
    """A list question: "Which hotels have the same city as Hotel Brask and art deco as their architectural
    style?" - the subject's link (found by id after a search, sometimes), then the list of the kind's entities
    with that link and category (the subject's own category differs, so it is never in the list)."""
    index = rng.choice(_list_kinds(domain))
    kind = domain.kinds[index]
    category = rng.choice([a for a in kind.attributes if isinstance(a, Category)])
    searched = rng.random() < SEARCH_SHARE
    id_kinds = (kind.noun,) if searched else ()
    world = WorldBuilder(domain, rng, id_kinds)
    plan = plan_list(domain, world, index, category, searched, config.level)
    filled = world.fill()
    questions = list_questions(plan, world, filled)
    ask = phrasing.list_ask(kind.noun, kind.fields[-1], plan.subject, category.label, plan.match, rng)
    return Scenario(domain=domain.name, level=config.level, kind=config.scenario,
                    question=phrasing.compose(ask, "list", rng), sub_questions=tuple(questions), aggregation=None,
                    answer=questions[-1].answer, world=filled, id_kinds=id_kinds)

"""How questions are worded: many phrasings per relation, conversational and task-embedded forms, comparisons,
and a note on the format an answer must respect.

Every sentence here is free of digits and of the words an answer could be (yes/no, dates, units), so none can
leak an answer; a question is (optional context) + (the ask) + (optional format note), each drawn per task.
"""

from __future__ import annotations

import random

# One `{}` for a noun phrase ("the population of Zelmora").
ASKS = (
    "What is {}?", "Can you tell me {}?", "I need to know {}.", "Please find {}.", "Could you look up {}?",
    "What's {}?", "Find out {} for me.", "Do you know {}?", "I'd like to know {}.", "Tell me {}, please.",
    "Quick question: what is {}?", "Please report {}.", "Help me find {}.", "I'm trying to figure out {}.",
    "Look up {} and tell me what it is.", "Would you check {} for me?",
)

# Context a user gives that changes nothing about the answer (the model must not be distracted by it).
CONTEXTS = (
    "I'm preparing a briefing for my team.", "A colleague asked me about this earlier today.",
    "I'm comparing options before making a decision.", "This is for a school project.",
    "We are updating our internal records.", "My manager needs this by the end of the day.",
    "I keep getting conflicting answers about this.", "I'm double-checking a figure in a draft report.",
    "Sorry if this is a basic question.", "I'm writing a short article and want to get the facts right.",
)
CONTEXT_SHARE = 0.35  # of questions that open with a context sentence

OPERATION_PHRASES = {
    "sum": ("the sum of {}", "the total of {}", "{} added together"),
    "mean": ("the average of {}", "the mean of {}"),
    "max": ("the largest of {}", "the highest value among {}", "the maximum of {}"),
    "min": ("the smallest of {}", "the lowest value among {}", "the minimum of {}"),
    "difference": ("the absolute difference between {}", "how far apart {} are"),
}

# Comparisons whose answer is a label: {label} is the attribute, {either} and {both} the compared entities
# joined by "or" and by "and".
LABEL_QUESTIONS = {
    "argmax": ("Which has the larger {label}: {either}?", "Of {both}, which one has the highest {label}?",
               "Between {both}, which has the greater {label}?"),
    "argmin": ("Which has the smaller {label}: {either}?", "Of {both}, which one has the lowest {label}?",
               "Between {both}, which has the least {label}?"),
}
# Yes/no comparisons of two values: {a} and {b} are the full noun phrases, {sa}/{sb} the entities.
BOOLEAN_QUESTIONS = {
    "greater": ("Is {a} greater than {b}?", "Does {sa} have a higher {label} than {sb}?",
                "Is it true that {a} exceeds {b}?"),
    "less": ("Is {a} less than {b}?", "Does {sa} have a lower {label} than {sb}?",
             "Is {a} smaller than {b}?"),
}

FORMAT_NOTES = {
    "date": ("Give the date as YYYY-MM-DD.", "Answer with the date in ISO format."),
    "quantity": ("Include the unit in your answer.", "State the value with its unit."),
    "entity": ("Answer with the name.",),
    "number": ("Answer with the number.",),
    "list": ("Name every one of them.", "List all the names."),
}
FORMAT_SHARE = 0.3  # of questions that end with a note on the answer's format


def join(phrases: list[str], last: str = " and ") -> str:
    """'a', 'a and b', 'a, b and c'."""
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + last + phrases[-1]


def attribute_phrase(label: str, subject: str, possessive: bool) -> str:
    """'the population of Zelmora', or "Zelmora's population" for a named subject."""
    return f"{subject}'s {label}" if possessive else f"the {label} of {subject}"


def compose(ask: str, answer_kind: str, rng: random.Random) -> str:
    """The full question: maybe a context sentence, the ask, maybe a format note."""
    parts = [rng.choice(CONTEXTS)] if rng.random() < CONTEXT_SHARE else []
    parts.append(ask)
    if answer_kind in FORMAT_NOTES and rng.random() < FORMAT_SHARE:
        parts.append(rng.choice(FORMAT_NOTES[answer_kind]))
    return " ".join(parts)


def aggregate_ask(operation: str, phrases: list[str], rng: random.Random, wrappers: tuple[str, ...]) -> str:
    """The ask of an arithmetic aggregation over the chains' noun phrases."""
    return rng.choice(wrappers + ASKS).format(rng.choice(OPERATION_PHRASES[operation]).format(join(phrases)))


def comparison_ask(operation: str, label: str, phrases: list[str], subjects: list[str], rng: random.Random) -> str:
    """The ask of a comparison: which entity has the larger/smaller `label`, or whether the first is larger."""
    if operation in LABEL_QUESTIONS:
        return rng.choice(LABEL_QUESTIONS[operation]).format(label=label, either=join(subjects, " or "),
                                                             both=join(subjects))
    return rng.choice(BOOLEAN_QUESTIONS[operation]).format(a=phrases[0], b=phrases[1], sa=subjects[0],
                                                          sb=subjects[1], label=label)


# Date arithmetic (two chains ending in dates): {a} and {b} are the noun phrases.
DAYS_QUESTIONS = ("How many days are there between {a} and {b}?", "How many days apart are {a} and {b}?",
                  "Count the days from {a} to {b}.", "How many days separate {a} and {b}?")


def days_ask(phrases: list[str], rng: random.Random) -> str:
    """The ask of a count of days between two dates."""
    return rng.choice(DAYS_QUESTIONS).format(a=phrases[0], b=phrases[1])


# List questions: every entity of a kind sharing the subject's link and having one category value.
LIST_QUESTIONS = (
    "Which {nouns} have the same {link} as {subject} and {match} as their {label}?",
    "List every {noun} that shares {subject}'s {link} and whose {label} is {match}.",
    "Find all the {nouns} with the same {link} as {subject} whose {label} is {match}.",
    "I need every {noun} whose {link} is the same as {subject}'s and whose {label} is {match}.",
)


def list_ask(noun: str, link: str, subject: str, label: str, match: str, rng: random.Random) -> str:
    """The ask of a list question (`noun` and `link` are snake_case identifiers)."""
    from toolgym.generation.backends.procedural.surface import plural

    return rng.choice(LIST_QUESTIONS).format(nouns=plural(noun).replace("_", " "), noun=noun.replace("_", " "),
                                             link=link.replace("_", " "), subject=subject, label=label, match=match)

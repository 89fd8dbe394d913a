"""The hybrid backend: the procedural skeleton (structure, world, answers, tool code) with the model rewriting
the question (stage 1) and every tool description (stage 4, distractors included) into natural language.

Answers stay verifiable because the model touches only text: the code, the gold plan and the answers are the
procedural ones, so the gold replay still reproduces every answer. A rewrite is refused, and fed back to the
model, when it drops an entity the first calls need (the subject of every sub-question that depends on no
other), drops the aggregation's operation, states an answer or adds a number; a description is refused when it
states an answer or no longer names what its tool is about (half the words of the tool's name, by stem). Stage 5
then checks leaks and replays anyway.

Each text is rewritten on its own (the question, then one request per tool description): a small model follows
one short instruction far better than a list. A text whose rewrite stays unusable after the client's retries
keeps its procedural wording (counted in `rewrites`, the manifest's `rewrites` section); an attempt in which no
text at all was rewritten is rejected (`no_rewrite`: it would be a procedural task under a hybrid label).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable

from toolgym.generation.backends.llm import prompts
from toolgym.generation.backends.llm.client import LLMClient, Reply, raise_problems
from toolgym.generation.backends.llm.errors import LLMRejected, ServerFailed
from toolgym.generation.backends.llm.replies import DescriptionReply, QuestionReply
from toolgym.generation.backends.procedural import ProceduralBackend
from toolgym.generation.backends.procedural.surface import MERGED_SUFFIXES, NEAR_DUPLICATE_SUFFIXES, VERBS, snake
from toolgym.generation.context import GenerationContext
from toolgym.generation.models import (AGGREGATE_TOOL, Deployment, Documents, GenerationRequest, Scenario,
                                       ScaledToolset, ToolDocument, Toolset)
from toolgym.reward.matching import strict_match

# words that keep an aggregation's meaning in a rewritten question (one must remain)
OPERATION_WORDS = {
    "sum": ("sum", "total", "combined", "add", "together"),
    "mean": ("average", "mean"),
    "max": ("largest", "highest", "maximum", "most", "biggest", "greatest", "larger", "higher", "greater"),
    "min": ("smallest", "lowest", "minimum", "least", "fewest", "smaller", "lower", "fewer"),
    "difference": ("difference", "differ", "gap"),
}
MAX_DESCRIPTION_CHARS = 400
STEM = 4  # letters compared: "passengers" and "passenger" agree, so do "opened" and "opening"
# the words of a tool's name that its surface chose (verb, merged-tool suffix, near-duplicate mark), not its topic
_NAME_FILLERS = set(VERBS) | set(MERGED_SUFFIXES) | set(NEAR_DUPLICATE_SUFFIXES)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def required_entities(scenario: Scenario) -> list[str]:
    """The names the question must give: the subject of every sub-question that depends on no other."""
    return list(dict.fromkeys(q.subject for q in scenario.sub_questions if not q.depends_on))


def answers(scenario: Scenario) -> list[str]:
    return list(dict.fromkeys([q.answer for q in scenario.sub_questions] + [scenario.answer]))


def _same_words(text: str, original: str) -> bool:
    """`text` is `original` again, up to case and spacing (a copy must not count as a rewrite)."""
    return text.casefold().split() == original.casefold().split()


def question_problems(scenario: Scenario, question: str) -> list[str]:
    """Why `question` cannot replace the scenario's (empty: it can)."""
    folded = question.casefold()
    if _same_words(question, scenario.question):
        return ["it is the question unchanged: reword it"]  # a copy would count as a rewrite it is not
    problems = [f"it must contain the name {name!r} exactly" for name in required_entities(scenario)
                if name.casefold() not in folded]
    if scenario.aggregation is not None:
        words = OPERATION_WORDS.get(scenario.aggregation.operation, ())
        if words and not any(w in folded for w in words):
            problems.append(f"it must still ask for the {scenario.aggregation.operation} (say e.g. {words[0]!r})")
    problems += [f"it must not state the answer {a!r}" for a in answers(scenario) if strict_match(a, question)]
    if added := sorted(numbers(question) - numbers(scenario.question)):
        problems.append(f"it must not add numbers the question did not have: {', '.join(added)}")
    return problems


def numbers(text: str) -> set[str]:
    """The numbers written in `text` (an invented figure in a rewrite could mislead or hint)."""
    return set(_NUMBER.findall(text.replace(",", "")))


def name_words(tool_name: str) -> set[str]:
    """The stems (first STEM letters) of the words in a tool's name (snake or camel case) that say what it does."""
    words = snake(tool_name).split("_")
    return {w[:STEM] for w in words if len(w) > 2 and w not in _NAME_FILLERS}


def keeps_topic(tool_name: str, description: str) -> bool:
    """Whether a description still names what the tool is about: at least half its name's words (by stem).
    A model that copies an example's description, or describes another tool, fails this."""
    wanted = name_words(tool_name)
    found = {w[:STEM] for w in re.findall(r"[a-z]+", description.casefold())}
    return 2 * len(wanted & found) >= len(wanted)


def description_problems(scenario: Scenario, name: str, original: str, description: str) -> list[str]:
    """Why `description` cannot replace `original`, the one of tool `name` (empty: it can)."""
    problems = []
    if _same_words(description, original):
        problems.append("it is the description unchanged: reword it")
    if len(description) > MAX_DESCRIPTION_CHARS:
        problems.append(f"the description is longer than {MAX_DESCRIPTION_CHARS} characters")
    problems += [f"it must not state the value {a!r}" for a in answers(scenario) if strict_match(a, description)]
    if name != AGGREGATE_TOOL and not keeps_topic(name, description):  # the calculator's schema lists its duties
        problems.append(f"it must say what {name} is about ({', '.join(sorted(name_words(name)))})")
    return problems


class HybridBackend:
    """Procedural stages with LLM-written question and tool descriptions (see the module docstring)."""

    name = "hybrid"
    trusted_code = True  # the tool code is the procedural backend's own

    def __init__(self, client: LLMClient) -> None:
        self.client = client
        self.procedural = ProceduralBackend()
        self.rewrites: Counter[str] = Counter()   # '<text>_rewritten' / '<text>_procedural', for the manifest
        self._rewritten: dict[int, int] = {}      # attempt key -> texts the model rewrote in that attempt
        self._lock = threading.Lock()

    def _rewrite(self, ctx: GenerationContext, text: str, stage: str, messages: list[dict[str, str]],
                 reply_model: type[Reply], check: Callable[[Reply], None]) -> Reply | None:
        """The model's checked rewrite, or None when it stays unusable (the procedural text is kept); counted."""
        try:
            reply = self.client.ask(stage, messages, reply_model, check)
        except LLMRejected as e:
            if isinstance(e, ServerFailed):  # the server, not the text: the run's failure policy applies
                raise
            reply = None
        with self._lock:
            self.rewrites[f"{text}_{'procedural' if reply is None else 'rewritten'}"] += 1
            key = ctx.key(self.name)
            self._rewritten[key] = self._rewritten.get(key, 0) + (reply is not None)
        return reply

    def decompose(self, request: GenerationRequest, ctx: GenerationContext) -> Scenario:
        """The procedural scenario with the question rewritten (or kept, when no rewrite passes)."""
        scenario = self.procedural.decompose(request, ctx)
        hint = ""
        if scenario.aggregation is not None:
            words = OPERATION_WORDS.get(scenario.aggregation.operation, (scenario.aggregation.operation,))
            hint = f" Keep asking for the {words[0]}."
        messages = prompts.render("rewrite_question", question=scenario.question, operation_hint=hint,
                                  entities=", ".join(repr(e) for e in required_entities(scenario)))
        reply = self._rewrite(ctx, "question", "rewrite_question", messages, QuestionReply,
                              lambda r: raise_problems(question_problems(scenario, r.question)))
        return scenario if reply is None else scenario.model_copy(update={"question": reply.question})

    def document(self, scenario: Scenario, ctx: GenerationContext) -> Documents:
        return self.procedural.document(scenario, ctx)

    def integrate(self, documents: Documents, ctx: GenerationContext) -> Toolset:
        return self.procedural.integrate(documents, ctx)

    def scale(self, toolset: Toolset, ctx: GenerationContext) -> ScaledToolset:
        """The procedural scaled toolset with each tool's description rewritten, one request per tool (names and
        parameters kept; a description no rewrite passes for keeps its procedural text)."""
        scaled = self.procedural.scale(toolset, ctx)

        def rewritten(doc: ToolDocument) -> ToolDocument:
            messages = prompts.render("rewrite_tools", name=doc.name, description=doc.description)
            check = lambda r: raise_problems(  # noqa: E731
                description_problems(scaled.scenario, doc.name, doc.description, r.description))
            reply = self._rewrite(ctx, "description", "rewrite_tools", messages, DescriptionReply, check)
            return doc if reply is None else doc.model_copy(update={"description": reply.description})

        return scaled.model_copy(update={"tools": tuple(map(rewritten, scaled.tools)),
                                         "distractors": tuple(map(rewritten, scaled.distractors))})

    def deploy(self, scaled: ScaledToolset, ctx: GenerationContext) -> Deployment:
        with self._lock:
            rewritten = self._rewritten.pop(ctx.key(self.name), 0)
        if not rewritten:
            raise LLMRejected("no_rewrite", "the model rewrote neither the question nor any tool description")
        return self.procedural.deploy(scaled, ctx)

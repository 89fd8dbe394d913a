"""The typed outputs of the five stages. Each stage reads the previous model and returns the next one.

    GenerationRequest --decompose--> Scenario --document--> Documents --integrate--> Toolset
                      --scale--> ScaledToolset --deploy--> Deployment (tool sources) -> Task

All models are frozen and reject unknown fields, so a backend (procedural today, an LLM later) that returns a
malformed stage output fails at that stage's boundary, with the field named.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from toolgym.models.task import ScenarioKind

Value = int | float | str

# Naming conventions every backend follows, so checks and measures can read any generated task.
FINAL_ID = "final"            # the id under which the aggregation (the final step) is served
FIELD_PARAM = "field"         # the selector parameter of a merged lookup tool
AGGREGATE_TOOL = "calculate"  # the tool joining parallel branches


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GenerationRequest(_Frozen):
    """What to generate: the input of stage 1."""

    domain: str = Field(description="Registered domain name, e.g. 'travel'.")
    level: int = Field(ge=1, le=5, description="Difficulty level L1-L5.")


class Entity(_Frozen):
    """One invented entity of the task's world: its name and its field values (attributes and link)."""

    name: str = Field(description="Display name, e.g. 'Hotel Brask'.")
    values: dict[str, Value] = Field(description="Field name -> value; a link's value names another entity.")


class SubQuestion(_Frozen):
    """One lookup the question needs: `field` of the `kind` entity named `subject`."""

    id: str = Field(description="Identifier within the scenario, e.g. 'q1'.")
    text: str = Field(description="The sub-question in words.")
    kind: str = Field(description="Entity kind (the domain's noun), e.g. 'hotel'.")
    subject: str = Field(description="The entity the lookup is about (the call's argument).")
    field: str = Field(description="The attribute or link looked up.")
    answer: str = Field(description="The sub-answer, as the tool output will contain it.")
    value: Value = Field(description="The sub-answer as a JSON value.")
    depends_on: tuple[str, ...] = Field(default=(), description="Sub-questions whose answer is the subject.")
    branch: int = Field(ge=0, description="Which chain the lookup belongs to.")
    hop: int = Field(ge=0, description="Position in its chain (0 = first).")
    role: Literal["lookup", "search", "list"] = Field(
        default="lookup", description="'lookup' reads `field` of `subject`; 'search' finds `subject` by name and "
                                      "answers its id; 'list' lists the `kind` entities whose link is `subject` "
                                      "and whose `field` is `match`.")
    page: int = Field(default=1, ge=1, description="For a search: the result page holding the subject.")
    match: str = Field(default="", description="For a list: the value of `field` the listed entities have.")


class Aggregation(_Frozen):
    """The final step joining parallel branches: an arithmetic operation over their last sub-answers."""

    operation: str = Field(description="One of the calculator's operations (procedural/calculator.py).")
    dates: bool = Field(default=False, description="Whether the joined values are dates (sent as `dates`).")
    depends_on: tuple[str, ...] = Field(description="The sub-questions whose values are combined, in order.")
    answer: str = Field(description="The result as text; it is also the final answer.")
    value: Value = Field(description="The result: a number, or a word for comparisons (a label, yes or no).")
    labels: tuple[str, ...] = Field(default=(), description="For comparisons answering with a label: the name "
                                                            "of each compared value, in order (empty otherwise).")


class Scenario(_Frozen):
    """Stage 1 output: the question, its decomposition and the invented world that makes it answerable."""

    domain: str = Field(description="Domain name.")
    level: int = Field(description="Difficulty level.")
    kind: ScenarioKind = Field(description="Logical structure.")
    question: str = Field(description="The full question.")
    sub_questions: tuple[SubQuestion, ...] = Field(min_length=1, description="Lookups, in dependency order.")
    aggregation: Aggregation | None = Field(default=None, description="Joining step of parallel scenarios.")
    answer: str = Field(description="The final answer.")
    world: dict[str, tuple[Entity, ...]] = Field(description="Entities per kind noun.")
    id_kinds: tuple[str, ...] = Field(default=(), description="Kinds whose tools take an id (found by a search) "
                                                              "instead of a name.")


class Param(_Frozen):
    """One parameter of a tool document."""

    name: str = Field(description="Parameter name.")
    type_class: str = Field(description="string, enum, integer, number, boolean, date, array or object.")
    description: str = Field(description="Shown to the model.")
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema of the value, without description.")
    required: bool = Field(default=False, description="Whether the call must give it.")
    gold_value: Any = Field(default=None, description="What the gold plan sends when required (not for the "
                                                      "subject or field selector, which come from the scenario).")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


ToolRole = Literal["lookup", "aggregate", "search", "list"]


class ToolDocument(_Frozen):
    """A tool document: name, description, parameters, and what it serves."""

    name: str = Field(description="Tool name.")
    description: str = Field(description="What the tool does.")
    role: ToolRole = Field(description="'lookup' reads fields of one entity kind; 'aggregate' computes; 'search' "
                                       "finds entities of a kind by name (candidates with ids); 'list' lists a "
                                       "kind's entities by their link, filtered by a category.")
    kind: str | None = Field(default=None, description="Entity kind a lookup reads.")
    fields: tuple[str, ...] = Field(default=(), description="Fields a lookup can return (2+ = merged tool).")
    params: tuple[Param, ...] = Field(description="Parameters, subject first.")
    serves: tuple[str, ...] = Field(default=(), description="Sub-question ids (or 'final') it answers.")
    by_id: bool = Field(default=False, description="Whether a lookup takes the entity's id (from a search) "
                                                   "rather than its name.")
    variant: Literal["", "near_duplicate"] = Field(default="", description="A distractor's relation to a "
                                                                           "needed tool.")

    @property
    def merged(self) -> bool:
        """Whether the tool serves several fields, selected by a `field` parameter."""
        return len(self.fields) > 1


class Documents(_Frozen):
    """Stage 2 output: one document per sub-question (plus the aggregation's), before merging."""

    scenario: Scenario = Field(description="The stage 1 output.")
    documents: tuple[ToolDocument, ...] = Field(description="One per sub-question, same order; then 'final'.")


class Toolset(_Frozen):
    """Stage 3 output: the merged tools and which tool answers which sub-question."""

    scenario: Scenario = Field(description="The stage 1 output.")
    tools: tuple[ToolDocument, ...] = Field(description="Needed tools after integration.")
    assignment: dict[str, str] = Field(description="Sub-question id (or 'final') -> tool name.")


class ScaledToolset(_Frozen):
    """Stage 4 output: needed tools with more parameters, distractors, and the shuffled order shown."""

    scenario: Scenario = Field(description="The stage 1 output.")
    tools: tuple[ToolDocument, ...] = Field(description="Needed tools, scaled.")
    distractors: tuple[ToolDocument, ...] = Field(description="Tools the question does not need.")
    order: tuple[str, ...] = Field(description="Every tool name, in the order shown to the model.")
    assignment: dict[str, str] = Field(description="Sub-question id (or 'final') -> tool name.")


class Deployment(_Frozen):
    """What a backend's deploy step returns: Python source per tool name."""

    code: dict[str, str] = Field(description="Tool name -> source defining a function of that name.")

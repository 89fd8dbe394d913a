"""What the model must reply at each stage: small pydantic models (the backend turns them into the stage models,
computing everything that can be computed: hops, branches, values, the aggregate). Unknown fields are ignored
(models add commentary keys); missing or mistyped ones are fed back by name."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
ShortValue = Annotated[str, StringConstraints(max_length=80)]
FiniteNumber = Annotated[float, Field(allow_inf_nan=False)]
MAX_EXTRA_PARAMS = 4  # parameters a tool may declare besides its subject


class _Reply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class QuestionReply(_Reply):
    question: Text


class DescriptionReply(_Reply):
    description: Text


class SubQuestionReply(_Reply):
    id: Identifier
    text: Text
    kind: Identifier
    subject: Short
    field: Identifier
    answer: Short
    depends_on: list[Identifier] = Field(default_factory=list, max_length=4)


class AggregationReply(_Reply):
    operation: str
    depends_on: list[Identifier] = Field(min_length=2, max_length=4)


class ScenarioReply(_Reply):
    question: Text
    sub_questions: list[SubQuestionReply] = Field(min_length=1, max_length=10)
    aggregation: AggregationReply | None = None


class ParamReply(_Reply):
    """A parameter besides the subject (checked further by `params.to_param`)."""

    name: Identifier
    type: Literal["string", "integer", "number", "boolean", "enum"]
    description: Text
    required: bool = False
    values: list[Short] | None = Field(default=None, max_length=12)    # an enum's choices
    minimum: float | None = Field(default=None, allow_inf_nan=False)   # an integer's or number's bounds
    maximum: float | None = Field(default=None, allow_inf_nan=False)
    example: ShortValue | bool | int | FiniteNumber | None = None  # what the gold call sends when required


class ToolReply(_Reply):
    name: Identifier
    description: Text
    parameter: Identifier
    parameter_description: Text
    extra_parameters: list[ParamReply] = Field(default_factory=list, max_length=MAX_EXTRA_PARAMS)


class ServingToolReply(ToolReply):
    serves: Identifier


class ToolsReply(_Reply):
    tools: list[ServingToolReply] = Field(min_length=1, max_length=10)


class DistractorsReply(_Reply):
    tools: list[ToolReply] = Field(min_length=1, max_length=12)


class CodeReply(_Reply):
    code: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]

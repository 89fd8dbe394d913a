"""The task record: everything one tool-use environment needs, validated at the boundary.

A `Task` is frozen and rejects unknown fields, so generated or imported data fails when it is loaded, with the
field named, rather than deep inside an episode. Tool documents are OpenAI function schemas whose `parameters` must
be a valid JSON Schema object; every tool has Python source; expected sub-answers are keyed by the tool whose
output must contain them (a multiset: one entry per time the tool must be called successfully).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import pickle
import re
from collections.abc import Callable
from typing import Any, Literal

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from toolgym.models.calls import canonical_json
from toolgym.models.memo import IdentityMemo

TOOL_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
_TOOL_NAME = re.compile(TOOL_NAME_PATTERN)

# Validation context that defers a task's content hash to its first read (`Task.model_validate(data,
# context=LAZY_HASH)`): the generator's stream makes thousands of tasks a second and most are never hashed.
LAZY_HASH = {"lazy_content_hash": True}

# Fields that define what an episode does; the hash ignores labels (id, split, provenance, domain, level). "tools"
# must stay the last in sorted order (see compute_content_hash).
HASHED_FIELDS = ("messages", "tools", "code", "expected", "answer", "scenario", "gold_plan")


class ScenarioKind(str, enum.Enum):
    """The logical structure of a question (FTRL stage 1)."""

    SINGLE_HOP = "single_hop"
    PARALLEL_SINGLE_HOP = "parallel_single_hop"
    MULTI_HOP = "multi_hop"
    PARALLEL_MULTI_HOP = "parallel_multi_hop"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(_Frozen):
    """One message of the opening conversation."""

    role: Literal["system", "user", "assistant"] = Field(description="Who speaks.")
    content: str = Field(description="The message text.")


class FunctionSpec(_Frozen):
    """The `function` part of an OpenAI tool document."""

    name: str = Field(description="Tool name, matching ^[a-zA-Z0-9_-]{1,64}$.")
    description: str = Field(default="", description="What the tool does, as shown to the model.")
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema (an object schema) of the tool's arguments.")

    @field_validator("name")
    @classmethod
    def _name_is_valid(cls, name: str) -> str:
        if not _TOOL_NAME.match(name):
            raise ValueError(f"tool name {name!r} must match {TOOL_NAME_PATTERN}")
        return name

    @field_validator("parameters")
    @classmethod
    def _parameters_are_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        if schema.get("type") != "object":
            raise ValueError('parameters must be a JSON Schema with "type": "object"')
        if problem := schema_problem(schema):
            raise ValueError(problem)
        return schema


# Checking a schema against the 2020-12 meta-schema costs ~1 ms, too slow for generating hundreds of tasks a
# second, so verdicts are cached, at two levels. The verdict is compositional: the meta-schema checks each value of
# `properties` as a schema in its own right (`$dynamicRef: #meta`) and puts no constraint on the names, so an object
# schema is valid iff it is valid with `properties` emptied and every property schema is valid. Property schemas
# recur across tools (generated ones from a pool, LLM-made ones by type), so each part is cached apart.
# A part's verdict is cached by its exact content (its pickle: cheap to make, and equal only for parts of the same
# types and values), then by its *shape* in canonical JSON: it does not depend on annotation texts or
# on the values inside enum/const/default/examples (the meta-schema accepts any JSON there), so those are blanked,
# nor on which names a string array (`required`) lists, only on their number and which of them are equal.
SCHEMA_CACHE_SIZE = 4096
_BLANKED = {"description": "", "title": "", "default": None, "const": None, "$comment": ""}
# Keywords whose value maps *names* (not keywords) to subschemas.
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})

Problem = tuple[tuple[str, ...], str]  # (path to the offending value, jsonschema's message)


def schema_problem(schema: Any) -> str | None:
    """Why `schema` is not a valid Draft 2020-12 JSON Schema (naming where), or None when it is valid."""
    found = _cached(_SCHEMA_VERDICTS, schema, _problem)  # whole schemas recur too: one lookup instead of one a part
    if found is None:
        return None
    path, message = found
    return f"not a valid JSON Schema at {'/'.join(path) or '(root)'}: {message}"


def _problem(node: Any) -> Problem | None:
    """The meta-schema's verdict on `node`, from cached verdicts on its parts (see above)."""
    properties = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(properties, dict) or not properties:
        return _part_problem(node)
    if (found := _part_problem({**node, "properties": {}})) is not None:
        return found
    for name, sub in properties.items():
        if (found := _problem(sub)) is not None:
            return ("properties", str(name), *found[0]), found[1]
    return None


def _part_problem(node: Any) -> Problem | None:
    return _cached(_PART_VERDICTS, node, _shape_verdict)


def _cached(verdicts: dict[bytes, Problem | None], node: Any, check: Callable[[Any], Problem | None]
            ) -> Problem | None:
    """`check(node)`, remembered in `verdicts` under the node's pickle."""
    try:
        key = pickle.dumps(node, pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - whatever cannot be pickled is checked uncached
        return check(node)
    found = verdicts.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = check(node)
        if len(verdicts) >= SCHEMA_CACHE_SIZE:
            verdicts.clear()  # crude but thread-safe; verdicts are cheap to recompute from the shape cache
        verdicts[key] = found
    return found


_SCHEMA_VERDICTS: dict[bytes, Problem | None] = {}
_PART_VERDICTS: dict[bytes, Problem | None] = {}
_UNKNOWN = object()


def _shape_verdict(node: Any) -> Problem | None:
    try:
        shape_json = canonical_json(_schema_shape(node))
    except (TypeError, ValueError, RecursionError):  # not JSON (a set, mixed key types): check it uncached
        return _meta_problem(node)
    return _shape_problem(shape_json)


@functools.lru_cache(maxsize=SCHEMA_CACHE_SIZE)
def _shape_problem(shape_json: str) -> Problem | None:
    return _meta_problem(json.loads(shape_json))


def _meta_problem(node: Any) -> Problem | None:
    error = jsonschema.exceptions.best_match(_META_VALIDATOR.iter_errors(node))
    return None if error is None else (tuple(str(p) for p in error.absolute_path), error.message)


def _schema_shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _blank(k, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_schema_shape(v) for v in node]
    return node


def _blank(key: str, value: Any) -> Any:
    if key in _BLANKED and (key in ("default", "const") or isinstance(value, str)):
        return _BLANKED[key]
    if key in ("enum", "examples") and isinstance(value, list):
        return [None] * len(value)
    if key == "required" and isinstance(value, list):  # names become "0", "1", ...: equal names stay equal
        numbers: dict[str, int] = {}
        return [str(numbers.setdefault(v, len(numbers))) if isinstance(v, str) else _schema_shape(v) for v in value]
    if key in _NAME_MAPS and isinstance(value, dict):
        return {name: _schema_shape(sub) for name, sub in value.items()}
    return _schema_shape(value)


_META_VALIDATOR = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)


class ToolSpec(_Frozen):
    """A tool document in OpenAI form: {"type": "function", "function": {...}}."""

    type: Literal["function"] = Field(default="function", description="Always 'function'.")
    function: FunctionSpec = Field(description="Name, description and parameter schema.")

    @property
    def name(self) -> str:
        return self.function.name

    def openai(self) -> dict[str, Any]:
        """The document as a plain dict, ready for `tools=` of a chat completion request."""
        return self.model_dump(mode="json")


class GoldCall(_Frozen):
    """One call of the gold plan."""

    name: str = Field(description="The tool to call.")
    arguments: dict[str, Any] = Field(default_factory=dict, description="Its arguments (JSON values).")


class Provenance(_Frozen):
    """Where a task came from; informative only, never trusted for behaviour."""

    generator: str = Field(default="manual", description="What built the task: 'procedural', 'llm', 'ftrl', ...")
    version: str = Field(default="", description="Version of that generator.")
    seed: int | None = Field(default=None, description="Seed of the generation run.")
    index: int | None = Field(default=None, description="Index of the task in that run.")
    source: str | None = Field(default=None, description="Original data source label, e.g. 'self/travel'.")


class Task(_Frozen):
    """One tool-use environment: question, tools, their code, expected sub-answers and final answer.

    >>> t = Task(id="t1", question="2+3?", messages=[{"role": "user", "content": "2+3?"}],
    ...          tools=[{"function": {"name": "add", "parameters": {"type": "object"}}}],
    ...          code={"add": "def add(a, b):\\n    return a + b"}, expected={"add": ["5"]}, answer="5",
    ...          scenario="single_hop")
    >>> t.tool_names, len(t.content_hash)
    (('add',), 64)
    """

    id: str = Field(description="Identifier, unique within a set.")
    question: str = Field(description="The question the agent must answer.")
    messages: tuple[Message, ...] = Field(min_length=1, description="The opening conversation.")
    tools: tuple[ToolSpec, ...] = Field(min_length=1, description="Tool documents, needed and distractors.")
    code: dict[str, str] = Field(description="Python source per tool name; defines a function of that name.")
    expected: dict[str, tuple[str, ...]] = Field(
        description="Expected sub-answers keyed by the tool whose output must contain them (a multiset).")
    answer: str = Field(description="The final answer.")
    scenario: ScenarioKind = Field(description="Logical structure of the question.")
    domain: str = Field(default="general", description="Topic, e.g. 'travel'.")
    level: int | None = Field(default=None, ge=1, le=5, description="Difficulty level L1-L5, if any.")
    split: str = Field(default="train", description="'train', 'test', ...")
    gold_plan: tuple[tuple[GoldCall, ...], ...] | None = Field(
        default=None, description="Turns of calls that solve the task; None when unknown (imported data).")
    provenance: Provenance = Field(default_factory=Provenance, description="Where the task came from.")
    content_hash: str = Field(default="", description="sha256 of the hashed fields; computed when empty.")

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Task:
        names = [t.name for t in self.tools]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate tool names in tools: {sorted(n for n in set(names) if names.count(n) > 1)}")
        if missing := sorted(set(names) - set(self.code)):
            raise ValueError(f"code is missing for tools {missing}")
        if extra := sorted(set(self.code) - set(names)):
            raise ValueError(f"code given for tools not in tools: {extra}")
        if unknown := sorted(set(self.expected) - set(names)):
            raise ValueError(f"expected names tools not in tools: {unknown}")
        for turn in self.gold_plan or ():
            for call in turn:
                if call.name not in names:
                    raise ValueError(f"gold_plan calls unknown tool {call.name!r}")
        if self.content_hash:
            if self.content_hash != compute_content_hash(self):
                raise ValueError("content_hash does not match the content: the record was edited after hashing "
                                 "(remove content_hash to recompute it)")
        elif info.context is not None and info.context.get("lazy_content_hash"):
            del self.__dict__["content_hash"]  # computed on first read: see __getattr__
        else:
            object.__setattr__(self, "content_hash", compute_content_hash(self))  # frozen model: set once, here
        return self

    # A task validated with LAZY_HASH has no content_hash in its __dict__ until it is read. Everything that reads
    # the fields wholesale (equality, hashing, dumping) computes it first, so such a task is indistinguishable from
    # an eagerly hashed one.

    def __getattr__(self, name: str) -> Any:
        if name == "content_hash":  # only reached while the hash is deferred
            digest = compute_content_hash(self)
            self.__dict__["content_hash"] = digest
            return digest
        return super().__getattr__(name)  # type: ignore[misc]

    @property
    def hash_deferred(self) -> bool:
        """True while the content hash of a task made with LAZY_HASH has not been computed yet."""
        return "content_hash" not in self.__dict__

    def _with_hash(self) -> Task:
        if "content_hash" not in self.__dict__:
            self.content_hash  # noqa: B018 - computes and stores it
        return self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Task):
            other._with_hash()
        return super(Task, self._with_hash()).__eq__(other)

    def __hash__(self) -> int:
        return super(Task, self._with_hash()).__hash__()

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return super(Task, self._with_hash()).model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        return super(Task, self._with_hash()).model_dump_json(**kwargs)

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tools)

    @property
    def num_expected(self) -> int:
        """Number of sub-answers to obtain (U0 in the paper's metrics)."""
        return sum(len(v) for v in self.expected.values())

    def openai_tools(self) -> list[dict[str, Any]]:
        """Tool documents as plain dicts (OpenAI `tools=` form)."""
        return [t.openai() for t in self.tools]

    def opening_messages(self) -> list[dict[str, str]]:
        return [m.model_dump() for m in self.messages]


_HASHED_INCLUDE = frozenset(HASHED_FIELDS) - {"tools"}  # the tools' text is remembered: see tools_json
_TOOL_JSON: IdentityMemo[str] = IdentityMemo()


def tool_json(spec: ToolSpec) -> str:
    """The canonical JSON of a tool document, remembered per (frozen) spec: generated tasks share their specs,
    and encoding them is most of the cost of hashing a task."""
    return _TOOL_JSON.get(None, (spec,), lambda: canonical_json(spec.model_dump(mode="json")))


def tools_json(tools: tuple[ToolSpec, ...]) -> str:
    """The canonical JSON of a list of tool documents."""
    return "[" + ",".join(map(tool_json, tools)) + "]"


def compute_content_hash(task: Task) -> str:
    """sha256 over a canonical JSON of the fields that define an episode.

    Canonical JSON is compositional (sorted keys, fixed separators, no whitespace) and "tools" is the last of the
    hashed fields in key order, so the text is that of the other fields with the tools' own text (remembered per
    spec) closing it: the same bytes as `canonical_json` of the whole `model_dump`.
    """
    # BaseModel's model_dump, not Task's, which computes the hash first
    others = canonical_json(BaseModel.model_dump(task, mode="json", include=_HASHED_INCLUDE))
    text = f'{others[:-1]},"tools":{tools_json(task.tools)}}}'
    return hashlib.sha256(text.encode()).hexdigest()


DEFAULT_INSTRUCTION = (
    "You are given a set of tools. Answer the question by calling them: all information must come from the "
    "tools, not from your own knowledge. If a call fails, read the error, correct the call and continue. When "
    "you have everything you need, reply without a tool call and end with 'Final answer: <answer>'."
)


def opening_messages(question: str, instruction: str = DEFAULT_INSTRUCTION) -> tuple[Message, ...]:
    """The standard opening: one user message, the fixed instruction then `Question: ...`."""
    return (Message(role="user", content=f"{instruction}\n\nQuestion: {question}"),)

"""Property tests of execution: the fast validator agrees with jsonschema, and `run` never raises."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.execution.tasks import make_task
from toolgym.execution import TrustedExecutor, compile_validator
from toolgym.models.calls import ToolCall, ToolResult

# Hand-written schemas covering the fast subset; each must compile to the fast path.
SCHEMAS = {
    "weather": {"type": "object", "properties": {
        "city": {"type": "string", "minLength": 1, "description": "City"},
        "days": {"type": "integer", "minimum": 1, "maximum": 14, "default": 1},
        "unit": {"type": "string", "enum": ["c", "f"]},
        "flag": {"type": "boolean"},
        "x": {"type": "number", "format": "float"}},
        "required": ["city"]},
    "closed": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
               "required": ["city", "days"], "additionalProperties": False},
    "bounds": {"type": "object", "properties": {
        "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
        "n": {"type": "integer", "minimum": 0.5},
        "max": {"type": ["integer", "null"], "maximum": 14.5},
        "min": {"minimum": 1}}},
    "arrays": {"type": "object", "properties": {
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 2}, "minItems": 1, "maxItems": 3},
        "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "none": {"type": "array", "items": False},
        "any": {"type": "array"}}},
    "nested": {"type": "object", "properties": {
        "filters": {"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
                    "required": ["min"], "additionalProperties": False}},
        "required": ["filters"]},
    "typed_extras": {"type": "object", "properties": {"city": {"type": "string"}},
                     "additionalProperties": {"type": "integer", "minimum": 0}},
    "mixed_enum": {"type": "object", "properties": {
        "mode": {"enum": [1, "1", True, None, [1, 2], {"a": 1}]},
        "unit": {"enum": ["c", "f"]},
        "empty": {"enum": []}}},
    "const": {"type": "object", "properties": {"x": {"const": 1}, "flag": {"const": False},
                                               "tags": {"const": ["a", 1]}}},
    "strings": {"type": "object", "properties": {
        "city": {"type": "string", "pattern": "^[A-Z]"}, "code": {"pattern": r"\d{2}"},
        "a": {"maxLength": 2}, "ab": {"type": ["string", "number"], "minLength": 2}}},
    "booleans": {"type": "object", "properties": {"city": True, "foo": False}},
    "sizes": {"type": "object", "minProperties": 1, "maxProperties": 2},
    "untyped": {"properties": {"days": {"type": "integer"}}, "required": ["days"]},
    "anything": {"type": "object"},
    "no_type_keywords": {"type": "object", "properties": {"n": {"minimum": 3}, "tags": {"maxItems": 1}}},
}

NAMES = ["city", "days", "unit", "flag", "x", "n", "max", "min", "tags", "matrix", "none", "any", "filters", "mode",
         "empty", "code", "a", "ab", "foo"]
SPECIAL = [0, 1, -1, 2, 3, 14, 15, 1.0, 0.0, -0.0, 0.5, 1.5, 10, 10.0, 14.5, 1e300, 10**20, True, False, None, "",
           "c", "f", "kelvin", "1", "a", "ab", "abc", "Zorvik", "zorvik", "12", "x12y", [], {}, [1, 2], [1.0, 2.0],
           ["a", 1], ["a", 1.0], [True], {"a": 1}, {"a": 1.0}, {"a": True}, float("nan"), float("inf"),
           -float("inf")]
SCALARS = st.one_of(st.sampled_from(SPECIAL), st.none(), st.booleans(), st.integers(), st.floats(),
                    st.integers(-20, 20).map(float), st.text(max_size=4))
KEYS = st.one_of(st.sampled_from(NAMES), st.text(max_size=3))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(KEYS, inner, max_size=4)),
                           max_leaves=12)
INSTANCES = st.one_of(st.dictionaries(st.sampled_from(NAMES), JSON_VALUES, max_size=6), JSON_VALUES)


BY_TYPE = {
    "string": st.one_of(st.sampled_from(["", "a", "ab", "abc", "c", "f", "Zorvik", "12"]), st.text(max_size=4)),
    "integer": st.one_of(st.sampled_from([0, 1, -1, 2, 14, 15, 1.0, 14.0, 10**20]), st.integers(-2, 20)),
    "number": st.one_of(st.sampled_from([0, 0.5, 10, 10.0, 1e300, float("nan"), float("inf")]), st.floats(),
                        st.integers()),
    "boolean": st.booleans(),
    "null": st.none(),
    "array": st.lists(SCALARS, max_size=3),
    "object": st.dictionaries(KEYS, SCALARS, max_size=3),
}


LEAF_ODDS = 4  # a leaf is drawn from its own shape 4 times out of 5


def near(schema: object, *, leaf: bool = False) -> st.SearchStrategy:
    """Values shaped like `schema` (its properties, items, enum members, types, bounds), so that valid instances
    are frequent; a leaf is now and then any scalar, so that type errors are frequent too."""
    if not isinstance(schema, dict):
        return SCALARS
    if "properties" in schema:
        required = [k for k in schema.get("required", []) if k in schema["properties"]]
        optional = {k: near(v, leaf=True) for k, v in schema["properties"].items() if k not in required}
        targeted = st.fixed_dictionaries({k: near(schema["properties"][k], leaf=True) for k in required},
                                         optional=optional)
    elif "items" in schema:
        targeted = st.lists(near(schema["items"], leaf=True), max_size=4)
    elif "enum" in schema and schema["enum"]:
        targeted = st.sampled_from(schema["enum"])
    elif "type" in schema:
        types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        targeted = st.one_of([BY_TYPE[t] for t in types] + [near_bounds(schema)])
    else:
        targeted = SCALARS
    if not leaf:
        return targeted
    return st.integers(0, LEAF_ODDS).flatmap(lambda i: targeted if i else SCALARS)


def near_bounds(schema: dict) -> st.SearchStrategy:
    """Numbers on and around the schema's numeric bounds (nothing when it has none)."""
    bounds = [schema[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in schema]
    return st.sampled_from([b + step for b in bounds for step in (-1, 0, 0.5, 1)]) if bounds else st.nothing()


def instances_for(schema: dict) -> st.SearchStrategy:
    """Shaped instances, shaped ones with one more key, and arbitrary JSON values."""
    shaped = near(schema)
    one_more = st.tuples(shaped, st.dictionaries(st.sampled_from(NAMES), SCALARS, min_size=1, max_size=1)).map(
        lambda pair: {**pair[0], **pair[1]} if isinstance(pair[0], dict) else pair[0])
    return st.one_of(shaped, one_more, INSTANCES)


INSTANCES_FOR = {name: instances_for(schema) for name, schema in SCHEMAS.items()}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_and_on_the_fast_path(name):
    jsonschema.Draft202012Validator.check_schema(SCHEMAS[name])
    assert compile_validator(SCHEMAS[name]).fast


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_validator_agrees_with_jsonschema(name, data):
    instance = data.draw(INSTANCES_FOR[name], label="instance")
    validator = compile_validator(SCHEMAS[name])
    expected = jsonschema.Draft202012Validator(SCHEMAS[name]).is_valid(instance)
    assert validator.is_valid(instance) == expected
    assert (validator.check(instance) is None) == expected


CODE = {
    "weather": "def weather(city, days=1, unit='c', flag=False, x=0.0):\n    return {'city': city, 'days': days}\n",
    "closed": "def closed(city, days):\n    return city * days\n",
    "anything": "def anything(**kwargs):\n    return kwargs\n",
    "nested": "def nested(filters):\n    return filters['min'] / (filters.get('max', 1) - 1)\n",
}
ERROR_KINDS = {None, "unknown_tool", "invalid_json", "invalid_arguments", "exception", "timeout"}
EXECUTOR = TrustedExecutor(make_task(CODE, {name: SCHEMAS[name] for name in CODE}))
TOOL_NAMES = st.one_of(st.sampled_from(sorted(CODE)), st.text(max_size=10))
ARGUMENTS = st.one_of(st.text(max_size=30), INSTANCES.map(lambda v: json.dumps(v)),
                      st.dictionaries(st.sampled_from(NAMES), JSON_VALUES, max_size=5).map(json.dumps))


@settings(max_examples=400, deadline=None)
@given(name=TOOL_NAMES, arguments=ARGUMENTS)
def test_run_never_raises(name, arguments):
    result = EXECUTOR.run(ToolCall(name, arguments))
    assert isinstance(result, ToolResult) and isinstance(result.content, str)
    assert result.error in ERROR_KINDS
    if result.error is not None:
        assert result.content.startswith(f"an error occured when call {name}: ")


@pytest.mark.parametrize(("arguments", "error"), [
    ('{"city": "a", "days": NaN}', "invalid_arguments"),      # NaN is a number but not an integer
    ('{"city": "a", "days": 1e400}', "invalid_arguments"),    # 1e400 decodes to inf: not an integer either
    ('{"city": "a", "x": -Infinity}', None),                  # an unbounded number accepts it, as jsonschema does
])
def test_special_floats_are_handled(arguments, error):
    # Python's json accepts NaN and Infinity (not JSON, but the reference decoded them too): no call may break.
    assert EXECUTOR.run(ToolCall("weather", arguments)).error == error

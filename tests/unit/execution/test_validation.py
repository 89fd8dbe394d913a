from __future__ import annotations

import re

import pytest

from toolgym.execution import compile_validator
from toolgym.execution.validation import MAX_MESSAGE_CHARS, json_equal, tool_validator
from toolgym.models.task import ToolSpec

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "City name", "minLength": 1},
        "date": {"type": "string", "format": "date"},
        "days": {"type": "integer", "minimum": 1, "maximum": 14, "default": 1},
        "unit": {"type": "string", "enum": ["c", "f"]},
        "wind": {"type": "boolean"},
        "confidence": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        "filters": {"type": "object", "properties": {"min": {"type": "number"}}, "required": ["min"],
                    "additionalProperties": False},
    },
    "required": ["city"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def weather():
    validator = compile_validator(WEATHER)
    assert validator.fast
    return validator


@pytest.mark.parametrize("args", [
    {"city": "Zorvik"},
    {"city": "Zorvik", "days": 3, "unit": "f", "wind": True, "confidence": 0.5, "tags": ["a"]},
    {"city": "Zorvik", "days": 3.0},                # 3.0 is an integer in JSON Schema
    {"city": "Zorvik", "date": "not a date"},       # format is not asserted, as in jsonschema
    {"city": "Zorvik", "filters": {"min": 1}},
])
def test_valid_arguments_pass(weather, args):
    assert weather.check(args) is None
    assert weather.is_valid(args)


@pytest.mark.parametrize(("args", "message"), [
    ({"city": "Zorvik", "days": -1}, '"days": -1 is less than the minimum of 1'),
    ({"days": 2}, "missing required argument 'city'"),
    ({"city": "Zorvik", "foo": 1}, "unexpected argument 'foo'"),
    ({"city": "Zorvik", "foo": 1, "bar": 2}, "unexpected arguments 'bar', 'foo'"),
    ({"city": "Zorvik", "unit": "kelvin"}, "\"unit\": 'kelvin' is not one of ['c', 'f']"),
    ({"city": "Zorvik", "days": True}, '"days": True is not of type \'integer\''),
    ({"city": "Zorvik", "days": 2.5}, '"days": 2.5 is not of type \'integer\''),
    ({"city": "Zorvik", "wind": 1}, '"wind": 1 is not of type \'boolean\''),
    ({"city": "Zorvik", "confidence": 1}, '"confidence": 1 is greater than or equal to the maximum of 1'),
    ({"city": ""}, "\"city\": '' should be non-empty"),
    ({"city": "Zorvik", "tags": ["a", 2]}, "\"tags[1]\": 2 is not of type 'string'"),
    ({"city": "Zorvik", "tags": ["a", "b", "c"]}, "\"tags\": ['a', 'b', 'c'] is too long"),
    ({"city": "Zorvik", "filters": {"min": "x"}}, "\"filters.min\": 'x' is not of type 'number'"),
    ({"city": "Zorvik", "filters": {}}, "\"filters\": missing required property 'min'"),
    ({"city": "Zorvik", "filters": {"min": 1, "max": 2}}, "\"filters\": unexpected property 'max'"),
])
def test_invalid_arguments_are_explained_with_their_path(weather, args, message):
    assert not weather.is_valid(args)
    assert weather.check(args) == message


def test_unknown_arguments_are_allowed_unless_the_schema_says_otherwise():
    open_schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    assert compile_validator(open_schema).check({"city": "x", "foo": 1}) is None
    typed_extras = {"type": "object", "properties": {"city": {"type": "string"}},
                    "additionalProperties": {"type": "integer"}}
    validator = compile_validator(typed_extras)
    assert validator.fast
    assert validator.check({"city": "x", "foo": 1}) is None
    assert validator.check({"city": "x", "foo": "1"}) == "\"foo\": '1' is not of type 'integer'"


def test_json_semantics_of_numbers_and_booleans():
    schema = {"type": "object", "properties": {"n": {"type": "number"}, "i": {"type": "integer"},
                                               "e": {"enum": [1, "a"]}, "c": {"const": False}}}
    validator = compile_validator(schema)
    assert validator.fast
    assert validator.is_valid({"n": 1, "i": 1.0, "e": 1.0, "c": False})
    assert not validator.is_valid({"n": True})
    assert not validator.is_valid({"i": False})
    assert not validator.is_valid({"e": True})      # True is not 1 for enum
    assert not validator.is_valid({"c": 0})         # nor 0 False for const
    assert validator.check({"c": 0}) == '"c": False was expected'


def test_json_equal_matches_jsonschema_semantics():
    assert json_equal(1, 1.0) and json_equal([1, {"a": 2}], [1.0, {"a": 2.0}])
    assert not json_equal(True, 1) and not json_equal([False], [0]) and not json_equal("1", 1)
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})


def test_pattern_is_searched_not_anchored():
    validator = compile_validator({"type": "object", "properties": {"code": {"type": "string", "pattern": r"\d\d"}}})
    assert validator.fast
    assert validator.is_valid({"code": "ab12cd"})
    assert validator.check({"code": "ab1"}) == "\"code\": 'ab1' does not match '\\\\d\\\\d'"


@pytest.mark.parametrize(("schema", "good", "bad"), [
    ({"type": "object", "properties": {"x": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}, 1, 1.5),
    ({"type": "object", "$defs": {"pos": {"type": "integer", "minimum": 0}},
      "properties": {"x": {"$ref": "#/$defs/pos"}}}, 1, -1),
    ({"type": "object", "properties": {"x": {"type": "array", "uniqueItems": True}}}, [1, 2], [1, 1]),
    ({"type": "object", "patternProperties": {"^x": {"type": "integer"}}}, 1, "1"),
    ({"type": "object", "properties": {"x": {"type": "integer", "x-custom": 1}}}, 1, "1"),  # unknown: be safe
])
def test_schemas_outside_the_subset_use_jsonschema(schema, good, bad):
    validator = compile_validator(schema)
    assert not validator.fast
    assert validator.check({"x": good}) is None
    assert validator.check({"x": bad}).startswith('"x": ')


def test_fallback_explains_like_the_fast_path():
    schema = {"type": "object", "$defs": {"pos": {"type": "integer", "minimum": 0}},
              "properties": {"x": {"$ref": "#/$defs/pos"}}, "required": ["x"]}
    validator = compile_validator(schema)
    assert validator.check({"x": -1}) == '"x": -1 is less than the minimum of 0'
    assert validator.check({}) == "missing required argument 'x'"


def test_unresolvable_reference_is_reported_not_raised():
    validator = compile_validator({"type": "object", "properties": {"x": {"$ref": "urn:nowhere"}}})
    assert not validator.is_valid({"x": 1})
    assert re.match("the arguments could not be validated: ", validator.check({"x": 1}) or "")


def test_long_messages_are_truncated():
    validator = compile_validator({"type": "object", "properties": {"x": {"type": "integer"}}})
    message = validator.check({"x": "y" * 5000}) or ""
    assert len(message) == MAX_MESSAGE_CHARS and message.endswith("...")


def test_non_object_instance_with_an_object_schema():
    validator = compile_validator({"type": "object"})
    assert validator.check([1]) == "[1] is not of type 'object'"


def test_validators_are_shared_by_schemas_equal_as_json():
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"]}
    reordered = {"required": ["n"], "properties": {"n": {"minimum": 1, "type": "integer"}}, "type": "object"}
    assert compile_validator(schema) is compile_validator(reordered)
    float_bound = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1.5}}}
    assert compile_validator(float_bound) is not compile_validator(schema)
    schema["properties"]["n"]["minimum"] = 5  # the cached validator holds its own copy of the schema
    assert compile_validator(reordered).check({"n": 2}) is None


def test_a_spec_keeps_its_validator_and_an_equal_spec_validates_alike():
    spec = ToolSpec.model_validate({"function": {"name": "f", "parameters": {
        "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}})
    twin = ToolSpec.model_validate(spec.model_dump())
    assert tool_validator(spec) is tool_validator(spec)
    for validator in (tool_validator(spec), tool_validator(twin)):
        assert validator.check({"n": 1}) is None
        assert validator.check({}) == "missing required argument 'n'"

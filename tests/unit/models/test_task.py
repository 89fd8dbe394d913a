import hashlib
import json
import pickle

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.fixtures.tasks import multi_hop, single_hop
from toolgym.generation import generate_task
from toolgym.models import FunctionSpec, Task
from toolgym.models.calls import canonical_json
from toolgym.models.task import HASHED_FIELDS, LAZY_HASH


def _record(task: Task, **changes) -> dict:
    data = task.model_dump(mode="json")
    data.pop("content_hash")
    data.update(changes)
    return data


def test_task_is_frozen_and_hashed():
    task = single_hop()
    assert len(task.content_hash) == 64
    with pytest.raises(ValidationError):
        task.answer = "13"
    assert task.num_expected == 1 and task.tool_names == ("get_local_time", "get_weather")


def test_hash_ignores_labels_but_not_content():
    task = single_hop()
    relabelled = Task.model_validate(_record(task, id="other", split="test", domain="x"))
    assert relabelled.content_hash == task.content_hash
    assert Task.model_validate(_record(task, answer="13")).content_hash != task.content_hash


def test_round_trip_keeps_hash():
    task = multi_hop()
    again = Task.model_validate_json(task.model_dump_json())
    assert again == task


def test_edited_record_with_stale_hash_is_rejected():
    data = multi_hop().model_dump(mode="json")
    data["answer"] = "999"
    with pytest.raises(ValidationError, match="content_hash does not match"):
        Task.model_validate(data)


@pytest.mark.parametrize("change, message", [
    ({"surprise": 1}, "Extra inputs are not permitted"),
    ({"code": {"get_weather": "x"}}, r"code is missing for tools \['get_local_time'\]"),
    ({"expected": {"nope": ["1"]}}, r"expected names tools not in tools: \['nope'\]"),
    ({"gold_plan": [[{"name": "nope", "arguments": {}}]]}, "gold_plan calls unknown tool 'nope'"),
    ({"scenario": "two_hop"}, "single_hop"),
    ({"level": 9}, "less than or equal to 5"),
])
def test_invalid_records_name_the_problem(change, message):
    with pytest.raises(ValidationError, match=message):
        Task.model_validate(_record(single_hop(), **change))


def test_duplicate_tool_names_rejected():
    data = _record(single_hop())
    data["tools"] = [data["tools"][1], data["tools"][1]]
    with pytest.raises(ValidationError, match="duplicate tool names"):
        Task.model_validate(data)


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "dot.name", "ünï"])
def test_bad_tool_names(name):
    with pytest.raises(ValidationError, match="must match"):
        FunctionSpec(name=name)


@pytest.mark.parametrize("schema, message", [
    ({"type": "array"}, '"type": "object"'),
    ({"type": "object", "properties": {"a": {"type": "strng"}}}, "at properties/a/type"),
    ({"type": "object", "required": "a"}, "at required"),
    ({"type": "object", "properties": {"a": {"minimum": "3"}}}, "at properties/a/minimum"),
])
def test_parameters_must_be_valid_json_schema(schema, message):
    with pytest.raises(ValidationError, match=message):
        FunctionSpec(name="f", parameters=schema)


def test_property_named_like_a_keyword_is_fine():
    FunctionSpec(name="f", parameters={"type": "object", "properties": {
        "default": {"type": "string"}, "description": {"type": "integer"}, "enum": {"type": "boolean"}}})


# The cached meta-schema check must agree with jsonschema's own check on any schema.
_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4),
                     lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
                     max_leaves=8)
_keyword = st.sampled_from(["type", "enum", "default", "description", "minimum", "required", "items", "const",
                            "title", "examples", "maxLength", "additionalProperties"])
_flat_subschema = st.dictionaries(_keyword, _json | st.sampled_from(["string", "integer", "object"]), max_size=3)
_names = st.sampled_from(["a", "default", "enum", "b"])
# nested object schemas, whose `properties` are checked part by part too, and property values that are no schema
_subschema = st.recursive(
    _flat_subschema,
    lambda inner: st.builds(lambda base, props: {**base, "properties": props}, _flat_subschema,
                            st.dictionaries(_names, inner, max_size=3) | _json),
    max_leaves=4) | _json


@settings(max_examples=500, deadline=None)
@given(props=st.dictionaries(_names, _subschema, max_size=3),
       top=st.dictionaries(_keyword.filter(lambda k: k != "type"), _json, max_size=2))
def test_cached_schema_check_agrees_with_jsonschema(props, top):
    schema = {"type": "object", "properties": props, **top}
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        valid = True
    except jsonschema.SchemaError:
        valid = False
    try:
        FunctionSpec(name="f", parameters=json.loads(json.dumps(schema)))
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == valid


def _whole_dump_hash(task: Task) -> str:
    """The content hash's definition: sha256 of the canonical JSON of the hashed fields, dumped at once."""
    data = task.model_dump(mode="json", include=set(HASHED_FIELDS))
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


@settings(max_examples=25, deadline=None)
@given(domain=st.sampled_from(["travel", "food", "real_estate"]), level=st.integers(1, 5),
       index=st.integers(0, 10_000))
def test_the_hash_joined_from_parts_is_the_hash_of_the_whole_dump(domain, level, index):
    task = generate_task(domain, level, index)
    assert task.content_hash == _whole_dump_hash(task)


def test_the_hash_of_odd_schemas_and_texts_is_the_hash_of_the_whole_dump():
    data = _record(single_hop())
    data["answer"] = "Zürich \u2212 12 \"quoted\" \\ \n 日本"
    data["tools"][0]["function"]["parameters"]["properties"] = {
        "é": {"type": "string", "enum": ["ß", "a\"b"]}, "Z": {"type": "number", "default": 1e-7}, "a": {}}
    task = Task.model_validate(data)
    assert task.content_hash == _whole_dump_hash(task)


def test_a_shared_spec_gives_every_task_the_same_hash_as_a_fresh_one():
    task = single_hop()
    shared = Task.model_validate({**_record(task), "tools": list(task.tools)})  # spec objects shared, not copied
    assert shared.tools[0] is task.tools[0]
    assert shared.content_hash == task.content_hash == _whole_dump_hash(shared)


def test_tools_is_the_last_hashed_field_in_key_order():  # compute_content_hash appends the tools' text last
    assert max(HASHED_FIELDS) == "tools"


def _lazy(task: Task) -> Task:
    return Task.model_validate(_record(task), context=LAZY_HASH)


def test_a_deferred_hash_is_computed_on_first_read():
    eager = multi_hop()
    lazy = _lazy(eager)
    assert lazy.hash_deferred and not eager.hash_deferred
    assert lazy.content_hash == eager.content_hash and not lazy.hash_deferred


@pytest.mark.parametrize("read", [
    lambda t: t.model_dump(), lambda t: t.model_dump(mode="json"), lambda t: t.model_dump_json(),
    lambda t: json.loads(t.model_dump_json())["content_hash"], lambda t: hash(t),
    lambda t: pickle.loads(pickle.dumps(t)).model_dump()])
def test_a_task_with_a_deferred_hash_reads_as_an_eager_one(read):
    eager = generate_task("travel", 4, 2)._with_hash()
    assert generate_task("travel", 4, 2).hash_deferred  # the generator defers it
    assert read(_lazy(eager)) == read(eager)


def test_equality_ignores_whether_the_hash_was_deferred():
    eager = single_hop()
    assert _lazy(eager) == eager and eager == _lazy(eager) and _lazy(eager) == _lazy(eager)
    assert _lazy(eager) != _lazy(multi_hop())


def test_a_stale_hash_is_rejected_even_under_the_lazy_context():
    with pytest.raises(ValidationError, match="content_hash does not match"):
        Task.model_validate(_record(single_hop(), content_hash="0" * 64), context=LAZY_HASH)

"""Validating tool-call arguments against a tool's JSON Schema, compiled once per tool.

`jsonschema` costs 40-70 µs a call, more than the rest of a step. So `compile_validator` turns the common subset of
JSON Schema that tool documents use (type, properties, required, additionalProperties, enum, const, items, size and
range bounds, pattern; annotations such as description, default and format are ignored, as `jsonschema` ignores
format by default) into plain closures that decide valid/invalid exactly as `jsonschema.Draft202012Validator`
does, with JSON semantics: a bool is not a number, `1.0` is an integer. A schema that uses anything else ($ref,
anyOf, oneOf, not, patternProperties, unknown keywords, ...) gets a compiled `Draft202012Validator` instead.
Messages for rejected arguments always come from `jsonschema` (`best_match`), so both paths explain alike.

>>> v = compile_validator({"type": "object", "properties": {"days": {"type": "integer", "minimum": 1}},
...                        "required": ["days"], "additionalProperties": False})
>>> v.fast, v.check({"days": 3}), v.check({"days": 2.0})
(True, None, None)
>>> v.check({"days": -1})
'"days": -1 is less than the minimum of 1'
>>> v.check({})
"missing required argument 'days'"
>>> v.check({"days": 1, "foo": 0})
"unexpected argument 'foo'"
"""

from __future__ import annotations

import functools
import json
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from toolgym.models.calls import canonical_json
from toolgym.models.memo import IdentityMemo
from toolgym.models.task import ToolSpec

Predicate = Callable[[Any], bool]

# Keywords that only annotate a schema: Draft 2020-12 asserts nothing for them (format included, by default).
ANNOTATION_KEYWORDS = frozenset({"title", "description", "default", "examples", "format", "$comment", "deprecated",
                                 "readOnly", "writeOnly"})
TYPE_KEYWORDS = frozenset({"type", "enum", "const"})
NUMBER_KEYWORDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
STRING_KEYWORDS = frozenset({"minLength", "maxLength", "pattern"})
ARRAY_KEYWORDS = frozenset({"items", "minItems", "maxItems"})
OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties", "minProperties", "maxProperties"})
FAST_KEYWORDS = (ANNOTATION_KEYWORDS | TYPE_KEYWORDS | NUMBER_KEYWORDS | STRING_KEYWORDS | ARRAY_KEYWORDS
                 | OBJECT_KEYWORDS)

MAX_MESSAGE_CHARS = 500  # a message quoting a huge argument would flood the conversation
_ELLIPSIS = "..."


class _Unsupported(Exception):
    """The schema leaves the fast subset: use jsonschema for it."""


# --- JSON types, exactly as jsonschema's Draft 2020-12 type checker defines them ------------------------------

def _is_string(x: Any) -> bool:
    return isinstance(x, str)


def _is_integer(x: Any) -> bool:
    kind = type(x)
    if kind is int:
        return True
    if kind is float:
        return x.is_integer()
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    kind = type(x)
    if kind is int or kind is float:  # the JSON case, without the slow ABC check below
        return True
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


def _is_boolean(x: Any) -> bool:
    return isinstance(x, bool)


def _is_null(x: Any) -> bool:
    return x is None


def _is_array(x: Any) -> bool:
    return isinstance(x, list)


def _is_object(x: Any) -> bool:
    return isinstance(x, dict)


TYPE_CHECKS: dict[str, Predicate] = {"string": _is_string, "integer": _is_integer, "number": _is_number,
                                     "boolean": _is_boolean, "null": _is_null, "array": _is_array,
                                     "object": _is_object}


def _unbool(x: Any, true: object = object(), false: object = object()) -> Any:
    """Make True/1 and False/0 distinct, as jsonschema's `equal` does."""
    if x is True:
        return true
    if x is False:
        return false
    return x


def json_equal(one: Any, two: Any) -> bool:
    """Equality as jsonschema's `enum` and `const` see it: 1 == 1.0, but True != 1, recursing into containers."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and json_equal(v, two[k]) for k, v in one.items())
    return _unbool(one) == _unbool(two)


# --- the compiler: one builder per group of keywords, each returning a predicate or None (nothing to check) -----

def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _build_type(schema: dict[str, Any]) -> Predicate | None:
    if "type" not in schema:
        return None
    names = schema["type"]
    names = [names] if isinstance(names, str) else list(names)
    try:
        checks = [TYPE_CHECKS[name] for name in names]
    except (KeyError, TypeError) as e:
        raise _Unsupported(f"type {names!r}") from e
    if len(checks) == 1:
        return checks[0]
    return lambda x: any(check(x) for check in checks)


def _build_enum(schema: dict[str, Any]) -> Predicate | None:
    if "enum" not in schema:
        return None
    values = list(schema["enum"])
    if all(isinstance(v, str) for v in values):  # the usual case: a set lookup, same verdict as json_equal
        allowed = frozenset(values)
        return lambda x: isinstance(x, str) and x in allowed
    return lambda x: any(json_equal(v, x) for v in values)


def _build_const(schema: dict[str, Any]) -> Predicate | None:
    if "const" not in schema:
        return None
    const = schema["const"]
    return lambda x: json_equal(x, const)


def _build_number(schema: dict[str, Any]) -> Predicate | None:
    if not NUMBER_KEYWORDS & schema.keys():
        return None
    low, high = schema.get("minimum"), schema.get("maximum")
    low_x, high_x = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")

    # Each test is written as jsonschema's failure condition, so NaN passes here exactly when it passes there.
    def check(x: Any) -> bool:
        if not _is_number(x):
            return True
        return not ((low is not None and x < low) or (high is not None and x > high)
                    or (low_x is not None and x <= low_x) or (high_x is not None and x >= high_x))
    return check


def _build_string(schema: dict[str, Any]) -> Predicate | None:
    if not STRING_KEYWORDS & schema.keys():
        return None
    shortest, longest = schema.get("minLength"), schema.get("maxLength")
    try:
        regex = re.compile(schema["pattern"]) if "pattern" in schema else None
    except (re.error, TypeError) as e:
        raise _Unsupported(f"pattern {schema['pattern']!r}") from e

    def check(x: Any) -> bool:
        if not isinstance(x, str):
            return True
        return not ((shortest is not None and len(x) < shortest) or (longest is not None and len(x) > longest)
                    or (regex is not None and regex.search(x) is None))
    return check


def _build_array(schema: dict[str, Any]) -> Predicate | None:
    if not ARRAY_KEYWORDS & schema.keys():
        return None
    shortest, longest = schema.get("minItems"), schema.get("maxItems")
    item = _compile(schema["items"]) if "items" in schema else _always
    item = None if item is _always else item

    def check(x: Any) -> bool:
        if not isinstance(x, list):
            return True
        if (shortest is not None and len(x) < shortest) or (longest is not None and len(x) > longest):
            return False
        return item is None or all(item(v) for v in x)
    return check


def _build_object(schema: dict[str, Any]) -> Predicate | None:
    if not OBJECT_KEYWORDS & schema.keys():
        return None
    # None marks "anything goes" so the loop below skips calling a predicate that is always true.
    known = {name: _skip_always(_compile(sub)) for name, sub in schema.get("properties", {}).items()}
    extra = _skip_always(_compile(schema.get("additionalProperties", True)))
    required = tuple(schema.get("required", ()))
    fewest, most = schema.get("minProperties"), schema.get("maxProperties")
    unknown = object()

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        if (fewest is not None and len(x) < fewest) or (most is not None and len(x) > most):
            return False
        for name in required:
            if name not in x:
                return False
        for name, value in x.items():
            sub = known.get(name, unknown)
            if sub is unknown:
                sub = extra
            if sub is not None and not sub(value):
                return False
        return True
    return check


def _skip_always(predicate: Predicate) -> Predicate | None:
    return None if predicate is _always else predicate


_BUILDERS = (_build_type, _build_enum, _build_const, _build_number, _build_string, _build_array, _build_object)


def _compile(schema: Any) -> Predicate:
    """A predicate equivalent to `Draft202012Validator(schema).is_valid`; raises _Unsupported outside the subset."""
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict):
        raise _Unsupported(f"schema {schema!r}")
    if outside := schema.keys() - FAST_KEYWORDS:
        raise _Unsupported(f"keywords {sorted(outside)}")
    checks = [c for c in (build(schema) for build in _BUILDERS) if c is not None]
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # the common shape ("type" plus one group): skip the loop
        first, second = checks
        return lambda x: first(x) and second(x)
    return lambda x: all(check(x) for check in checks)


# --- messages -------------------------------------------------------------------------------------------------

def _path(error: ValidationError) -> str:
    """`filters.dates[0]`: property names joined by dots, array indices in brackets."""
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _quoted_list(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _describe(error: ValidationError) -> str:
    """A readable sentence for one jsonschema error, naming the offending argument path."""
    path = _path(error)
    noun = "property" if path else "argument"
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        detail = f"missing required {noun} {_quoted_list(missing[:1])}"
    elif (error.validator == "additionalProperties" and error.validator_value is False
          and "patternProperties" not in error.schema and isinstance(error.instance, dict)):
        extras = sorted(k for k in error.instance if k not in error.schema.get("properties", {}))
        detail = f"unexpected {noun}{'s' if len(extras) > 1 else ''} {_quoted_list(extras)}"
    else:
        detail = error.message
    text = f'"{path}": {detail}' if path else detail
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS - len(_ELLIPSIS)] + _ELLIPSIS


class ArgumentValidator:
    """Checks decoded arguments against one tool's schema. Build it with `compile_validator`.

    `fast` is True when the schema was compiled to closures, False when `jsonschema` decides.
    """

    __slots__ = ("schema", "fast", "_is_valid", "_jsonschema")

    def __init__(self, schema: dict[str, Any], is_valid: Predicate | None) -> None:
        self.schema = schema
        self.fast = is_valid is not None
        self._jsonschema = jsonschema.Draft202012Validator(schema)
        self._is_valid = is_valid if is_valid is not None else self._jsonschema_is_valid

    def _jsonschema_is_valid(self, args: Any) -> bool:
        try:
            return self._jsonschema.is_valid(args)
        except Exception:  # e.g. an unresolvable $ref: reject the call (explained below) rather than crash the step
            return False

    def is_valid(self, args: Any) -> bool:
        """Whether `args` satisfies the schema (the verdict of Draft 2020-12)."""
        return self._is_valid(args)

    def check(self, args: Any) -> str | None:
        """None when `args` is valid, else a message naming the offending argument path."""
        if self._is_valid(args):
            return None
        return self.explain(args)

    def explain(self, args: Any) -> str | None:
        """jsonschema's most relevant error for `args` as a readable message; None when it finds none."""
        try:
            error = best_match(self._jsonschema.iter_errors(args))
        except Exception as e:  # the schema itself cannot be applied (unresolvable $ref, bad regex): say so
            return f"the arguments could not be validated: {type(e).__name__}: {e}"
        return None if error is None else _describe(error)

    def __repr__(self) -> str:
        return f"ArgumentValidator(fast={self.fast}, schema={self.schema!r})"


VALIDATOR_CACHE_SIZE = 2048  # validators kept by canonical schema JSON: generated tools share a few signatures


def compile_validator(schema: dict[str, Any]) -> ArgumentValidator:
    """Compile `schema` (a valid Draft 2020-12 schema) once; the result's `check(args)` is then cheap.

    Validators are cached by the schema's canonical JSON (schemas equal as JSON are the same schema), and a cached
    one validates against its own decoded copy of that JSON, which no caller can mutate.
    """
    try:
        key = canonical_json(schema)
    except (TypeError, ValueError, RecursionError):  # not JSON (an odd key or value): compile it as it is
        return _compile_validator(schema)
    return _cached_validator(key)


def tool_validator(spec: ToolSpec) -> ArgumentValidator:
    """`compile_validator` of the tool's parameters, remembered per (frozen) spec: generated tasks share their
    specs, and this skips encoding the schema to find its validator."""
    return _SPEC_VALIDATORS.get(None, (spec,), lambda: compile_validator(spec.function.parameters))


_SPEC_VALIDATORS: IdentityMemo[ArgumentValidator] = IdentityMemo()


@functools.lru_cache(maxsize=VALIDATOR_CACHE_SIZE)
def _cached_validator(canonical_json: str) -> ArgumentValidator:
    return _compile_validator(json.loads(canonical_json))


def _compile_validator(schema: dict[str, Any]) -> ArgumentValidator:
    try:
        predicate: Predicate | None = _compile(schema)
    except (_Unsupported, RecursionError):
        predicate = None
    return ArgumentValidator(schema, predicate)

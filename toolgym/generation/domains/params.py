"""Optional parameters every domain can draw on in complexity scaling, and helpers to declare more.

Each helper returns a `ParamSpec` whose schema is valid JSON Schema; `valid` is a value the tool accepts. The
parameters never change a tool's answer (they are validated, then ignored), so the gold plan stays minimal.
"""

from __future__ import annotations

from typing import Any

from toolgym.generation.domains.base import ParamSpec

PARAM_TYPE_CLASSES = ("string", "enum", "integer", "number", "boolean", "date", "array", "object")


def string_param(name: str, description: str, default: str) -> ParamSpec:
    """A free string with a default."""
    return ParamSpec(name, "string", description, {"type": "string", "default": default}, default)


def enum_param(name: str, description: str, values: tuple[str, ...]) -> ParamSpec:
    """A string restricted to `values`; the first is the default."""
    return ParamSpec(name, "enum", description,
                     {"type": "string", "enum": list(values), "default": values[0]}, values[0])


def integer_param(name: str, description: str, low: int, high: int, default: int) -> ParamSpec:
    """An integer in `[low, high]`."""
    schema = {"type": "integer", "minimum": low, "maximum": high, "default": default}
    return ParamSpec(name, "integer", description, schema, default)


def number_param(name: str, description: str, low: float, high: float, default: float) -> ParamSpec:
    """A number in `[low, high]`."""
    schema = {"type": "number", "minimum": low, "maximum": high, "default": default}
    return ParamSpec(name, "number", description, schema, default)


def boolean_param(name: str, description: str, default: bool) -> ParamSpec:
    """A boolean flag."""
    return ParamSpec(name, "boolean", description, {"type": "boolean", "default": default}, default)


def date_param(name: str, description: str, valid: str) -> ParamSpec:
    """An ISO date (`format: date`), without a default: `valid` is only what the gold plan sends if required."""
    return ParamSpec(name, "date", description, {"type": "string", "format": "date"}, valid)


def array_param(name: str, description: str, values: tuple[str, ...]) -> ParamSpec:
    """A list of strings taken from `values`."""
    schema = {"type": "array", "items": {"type": "string", "enum": list(values)}, "default": []}
    return ParamSpec(name, "array", description, schema, [values[0]])


def object_param(name: str, description: str, properties: dict[str, Any], valid: dict[str, Any]) -> ParamSpec:
    """An object with the given properties, no others."""
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return ParamSpec(name, "object", description, schema, valid)


GENERIC_PARAMS: tuple[ParamSpec, ...] = (
    string_param("language", "Language code of the response text.", "en"),
    string_param("requested_by", "Free-form label of who makes the request.", "assistant"),
    enum_param("units", "Unit system of the response.", ("metric", "imperial")),
    enum_param("source", "Which data source to query.", ("primary", "archive", "partner")),
    enum_param("detail_level", "How much detail to include.", ("brief", "standard", "full")),
    integer_param("max_results", "Upper bound on returned records.", 1, 50, 10),
    integer_param("page", "Result page, from 1.", 1, 100, 1),
    number_param("min_confidence", "Minimum confidence of the returned record, from 0 to 1.", 0.0, 1.0, 0.5),
    boolean_param("include_history", "Whether to include past values.", False),
    boolean_param("use_cache", "Whether a cached record may be returned.", True),
    date_param("as_of", "Date (YYYY-MM-DD) at which the record is valid.", "2025-01-15"),
    array_param("tags", "Labels to filter records by.", ("verified", "popular", "new")),
    object_param("options", "Extra request options.",
                 {"timezone": {"type": "string", "description": "IANA time zone name."},
                  "verbose": {"type": "boolean", "description": "Whether to add explanations."}},
                 {"verbose": False}),
    object_param("filters", "Constraints on the returned record.",
                 {"region": {"type": "string", "description": "Region name."},
                  "verified_only": {"type": "boolean", "description": "Only verified records."}},
                 {"verified_only": True}),
)

"""The aggregation tool: one source text, both shipped as tool code and executed here to compute answers.

Computing the final answer with the very code the task ships means the answer and the tool cannot disagree
(rounding included); the gold replay (the tests', the catalog build's, the stream's audited sample) checks it again.
"""

from __future__ import annotations

from typing import Any

from toolgym.generation.models import AGGREGATE_TOOL

AGGREGATE_OPERATIONS = ("sum", "mean", "max", "min", "difference")
PAIR_ONLY_OPERATIONS = ("difference",)  # defined for exactly two values

OPERATION_PHRASES = {
    "sum": "the sum of {}",
    "mean": "the average of {}",
    "max": "the largest of {}",
    "min": "the smallest of {}",
    "difference": "the absolute difference between {}",
}

CALCULATOR_SOURCE = '''\
_OPERATIONS = ("sum", "mean", "max", "min", "difference")


def _number(x):
    x = round(x, 2)
    return int(x) if x == int(x) else x


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def calculate(operation=None, values=None):
    if operation is None:
        return "Error: missing required argument 'operation'."
    if operation not in _OPERATIONS:
        return "Error: unknown operation %r; use one of: %s." % (operation, " | ".join(_OPERATIONS))
    if values is None:
        return "Error: missing required argument 'values'."
    if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
        return "Error: 'values' must be a non-empty list of numbers."
    if operation == "difference":
        if len(values) != 2:
            return "Error: 'difference' takes exactly two values."
        result = abs(values[0] - values[1])
    elif operation == "sum":
        result = sum(values)
    elif operation == "mean":
        result = sum(values) / len(values)
    else:
        result = max(values) if operation == "max" else min(values)
    return {"operation": operation, "result": _number(result)}
'''

DESCRIPTION = ("Compute an arithmetic aggregate of a list of numbers: their sum, mean, maximum, minimum, or the "
               "absolute difference of exactly two numbers. Results are rounded to two decimals.")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operation": {"type": "string", "enum": list(AGGREGATE_OPERATIONS), "description": "What to compute."},
        "values": {"type": "array", "items": {"type": "number"}, "minItems": 1,
                   "description": "The numbers to combine, in order."},
    },
    "required": ["operation", "values"],
}


def _load() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(CALCULATOR_SOURCE, "<calculate>", "exec"), namespace)  # our own constant source
    return namespace[AGGREGATE_TOOL]


_calculate = _load()


def aggregate(operation: str, values: list[int | float]) -> int | float:
    """The calculator's result for `operation` over `values`, exactly as the tool computes it."""
    result = _calculate(operation, list(values))
    if isinstance(result, str):
        raise ValueError(result)
    return result["result"]

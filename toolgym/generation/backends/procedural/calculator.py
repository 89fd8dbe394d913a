"""The aggregation tool: one source text, both shipped as tool code and executed here to compute answers.

Computing the final answer with the very code the task ships means the answer and the tool cannot disagree
(rounding included); the gold replay (the tests', the catalog build's, the stream's audited sample) checks it again.
"""

from __future__ import annotations

from typing import Any

from toolgym.generation.models import AGGREGATE_TOOL

AGGREGATE_OPERATIONS = ("sum", "mean", "max", "min", "difference")
PAIR_ONLY_OPERATIONS = ("difference", "greater", "less")  # defined for exactly two values
# Comparisons answer with a word, not a number: the label of the largest (smallest) value, or whether the first
# of two values is greater (less) than the second.
LABEL_OPERATIONS = ("argmax", "argmin")
BOOLEAN_OPERATIONS = ("greater", "less")
# Date arithmetic (generator 0.3.0): the days between two ISO dates, given as `dates`.
DATE_OPERATIONS = ("days_between",)
OPERATIONS = AGGREGATE_OPERATIONS + LABEL_OPERATIONS + BOOLEAN_OPERATIONS + DATE_OPERATIONS

CALCULATOR_SOURCE = '''\
import datetime

_OPERATIONS = ("sum", "mean", "max", "min", "difference", "argmax", "argmin", "greater", "less", "days_between")


def _number(x):
    x = round(x, 2)
    return int(x) if x == int(x) else x


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _days_between(dates):
    if not isinstance(dates, list) or len(dates) != 2:
        return "Error: 'days_between' needs 'dates': exactly two dates YYYY-MM-DD."
    try:
        first, second = (datetime.date.fromisoformat(d) for d in dates)
    except (TypeError, ValueError):
        return "Error: 'dates' must be two dates in the format YYYY-MM-DD, got %r." % (dates,)
    return {"operation": "days_between", "result": abs((second - first).days)}


def calculate(operation=None, values=None, labels=None, dates=None):
    if operation is None:
        return "Error: missing required argument 'operation'."
    if operation not in _OPERATIONS:
        return "Error: unknown operation %r; use one of: %s." % (operation, " | ".join(_OPERATIONS))
    if operation == "days_between":
        return _days_between(dates)
    if values is None:
        return "Error: missing required argument 'values'."
    if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
        return "Error: 'values' must be a non-empty list of numbers."
    if operation in ("difference", "greater", "less") and len(values) != 2:
        return "Error: %r takes exactly two values." % operation
    if operation in ("argmax", "argmin"):
        if not isinstance(labels, list) or len(labels) != len(values) or not all(isinstance(x, str) for x in labels):
            return "Error: %r needs 'labels': one name per value, in the same order." % operation
        best = max(values) if operation == "argmax" else min(values)
        return {"operation": operation, "result": labels[values.index(best)]}
    if operation in ("greater", "less"):
        holds = values[0] > values[1] if operation == "greater" else values[0] < values[1]
        return {"operation": operation, "result": "yes" if holds else "no"}
    if operation == "difference":
        result = abs(values[0] - values[1])
    elif operation == "sum":
        result = sum(values)
    elif operation == "mean":
        result = sum(values) / len(values)
    else:
        result = max(values) if operation == "max" else min(values)
    return {"operation": operation, "result": _number(result)}
'''

DESCRIPTION = ("Compute over a list of numbers: sum, mean, max, min, or the absolute difference of two (rounded "
               "to two decimals); 'argmax' and 'argmin' return the label of the largest or smallest value; "
               "'greater' and 'less' say whether the first of two values is greater or less than the second; "
               "'days_between' counts the days between two dates.")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operation": {"type": "string", "enum": list(OPERATIONS), "description": "What to compute."},
        "values": {"type": "array", "items": {"type": "number"}, "minItems": 1,
                   "description": "The numbers to combine, in order."},
        "labels": {"type": "array", "items": {"type": "string"},
                   "description": "For argmax and argmin: the name of each value, in the same order."},
        "dates": {"type": "array", "items": {"type": "string", "format": "date"}, "minItems": 2, "maxItems": 2,
                  "description": "For days_between: the two dates (YYYY-MM-DD)."},
    },
    "required": ["operation"],
}


def _load() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(CALCULATOR_SOURCE, "<calculate>", "exec"), namespace)  # our own constant source
    return namespace[AGGREGATE_TOOL]


_calculate = _load()


def aggregate(operation: str, values: list[int | float] | list[str], labels: list[str] | None = None
              ) -> int | float | str:
    """The calculator's result for `operation` over `values` (and `labels`), exactly as the tool computes it;
    the values of a date operation are its dates."""
    if operation in DATE_OPERATIONS:
        result = _calculate(operation, dates=list(values))
    else:
        result = _calculate(operation, list(values), labels)
    if isinstance(result, str):
        raise ValueError(result)
    return result["result"]

"""Hand-built tasks for the reward tests: only the fields the verifier reads matter."""

from __future__ import annotations

from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall, ToolResult
from toolgym.models.task import Task


def make_task(expected: dict[str, list[str]], answer: str, question: str = "What is it?",
              extra_tools: tuple[str, ...] = ()) -> Task:
    """A task whose tools are the keys of `expected` plus `extra_tools`, each with trivial code."""
    names = list(dict.fromkeys([*expected, *extra_tools]))
    return Task(id="t", question=question, messages=[{"role": "user", "content": question}],
                tools=[{"function": {"name": n}} for n in names],
                code={n: f"def {n}():\n    return ''" for n in names},
                expected=expected, answer=answer, scenario="single_hop")


def calls_turn(*calls: tuple[str, str] | tuple[str, str, str], issues: int = 0):
    """A parsed turn and its results from (tool, output) or (tool, output, error kind) triples."""
    pairs = [(ToolCall(c[0], id=f"c{i}"), ToolResult(c[1], c[2] if len(c) > 2 else None))
             for i, c in enumerate(calls)]
    parsed = ParsedTurn("", tuple(call for call, _ in pairs),
                        tuple(ParseIssue("<tool_call>{", "invalid JSON") for _ in range(issues)))
    return parsed, pairs


def answer_turn(content: str, issues: int = 0) -> ParsedTurn:
    """A turn without parsed calls."""
    return ParsedTurn(content, (), tuple(ParseIssue("<tool_call>{", "invalid JSON") for _ in range(issues)))

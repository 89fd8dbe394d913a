"""Checks a generated task must pass, read from the `Task` record alone (usable on tasks loaded from a file).

Each function returns a list of problems (empty = fine), so a validator can report them all:
`replay_problems` (the gold plan reproduces every sub-answer under its own tool and the final answer),
`leak_problems` (no answer in the question, opening messages or tool documents), `structure_problems` (the
measured structure matches the level table).
"""

from __future__ import annotations

from toolgym.execution import ExecutorFactory, SandboxExecutor, TrustedExecutor
from toolgym.generation.levels import LevelConfig, level_config
from toolgym.generation.measure import measure_task
from toolgym.models.calls import ToolCall
from toolgym.models.memo import IdentityMemo
from toolgym.models.task import GoldCall, Task, ToolSpec, tool_json, tools_json
from toolgym.reward.matching import Tokens, joined_tokens, strict_match, tokenize, tokens, tokens_match

REPLAY_TIMEOUT_S = 5.0  # generated lookups take microseconds; anything near this is a broken tool


def gold_calls(task: Task) -> list[tuple[GoldCall, str]]:
    """(call, sub-answer it must produce) per gold call in order: `expected` lists each tool's sub-answers in
    the order of its calls."""
    pending = {name: list(answers) for name, answers in task.expected.items()}
    pairs = []
    for turn in task.gold_plan or ():
        for call in turn:
            if not pending.get(call.name):
                raise ValueError(f"gold plan calls {call.name!r} more often than expected lists answers for it")
            pairs.append((call, pending[call.name].pop(0)))
    return pairs


def replay_executor(task: Task) -> ExecutorFactory:
    """How to run a task's code when replaying it: in-process only when the code is toolgym's own (its content hash
    is in the shipped catalog, or the task regenerates identically from its provenance), else sandboxed."""
    from toolgym.catalog import is_trusted_hash

    if is_trusted_hash(task.content_hash) or _regenerates(task):
        return lambda t: TrustedExecutor(t, timeout=REPLAY_TIMEOUT_S)
    return lambda t: SandboxExecutor(t, timeout=REPLAY_TIMEOUT_S)


def _regenerates(task: Task) -> bool:
    p = task.provenance
    if p.generator != "procedural" or p.index is None or task.level is None:
        return False
    from toolgym.generation.pipeline import generate_task

    try:
        return generate_task(task.domain, task.level, p.index, seed=p.seed or 0,
                             split=task.split).content_hash == task.content_hash
    except Exception:  # noqa: BLE001 - an unknown domain or level in a hostile file: not toolgym's own code
        return False


def replay_problems(task: Task, executor: ExecutorFactory | None = None) -> list[str]:
    """Run the gold plan (with `executor`; default `TrustedExecutor`, for tasks the generator just made: pass
    `replay_executor(task)` for a task from a file); every call must succeed and contain its own sub-answer, the
    last output the final answer, and every expected answer must be used."""
    if not task.gold_plan:
        return ["the task has no gold plan"]
    try:
        pairs = gold_calls(task)
    except ValueError as e:
        return [str(e)]
    if len(pairs) != task.num_expected:
        return [f"the gold plan has {len(pairs)} calls for {task.num_expected} expected sub-answers"]
    problems, output = [], ""
    executor = (executor or (lambda t: TrustedExecutor(t, timeout=REPLAY_TIMEOUT_S)))(task)
    try:
        for call, answer in pairs:
            result = executor.run(ToolCall.of(call.name, call.arguments))
            output = result.content
            if not result.ok or not strict_match(answer, output):
                problems.append(f"{call.name}({call.arguments}) gave {output!r}, expected it to contain {answer!r}")
    finally:
        executor.close()
    if not strict_match(task.answer, output):
        problems.append(f"the last gold output {output!r} lacks the final answer {task.answer!r}")
    return problems


_TOOL_TOKENS: IdentityMemo[Tokens] = IdentityMemo()
_VOCABULARIES: IdentityMemo[frozenset[str]] = IdentityMemo()


def _tool_tokens(spec: ToolSpec) -> Tokens:
    """The tokens of a tool document's canonical JSON, remembered per spec (tasks share their specs)."""
    return _TOOL_TOKENS.get(None, (spec,), lambda: tokenize(tool_json(spec)))


def _vocabulary(spec: ToolSpec) -> frozenset[str]:
    """The set of those tokens, remembered per spec."""
    return _VOCABULARIES.get(None, (spec,), lambda: frozenset(_tool_tokens(spec).key.split()))


def leak_problems(task: Task) -> list[str]:
    """Answers (sub-answers and final) found, token-bounded, in the question, messages or tool documents."""
    texts = [task.question, *(m.content for m in task.messages)]
    flat = "\n".join(texts).casefold().replace(",", "")
    vocabularies = [_vocabulary(spec) for spec in task.tools]

    def could_occur(token: str) -> bool:  # in the casefolded, comma-free texts (".5" for "0.5") or in a document
        return (token in flat or (token.startswith("0.") and token[1:] in flat)
                or any(token in vocabulary for vocabulary in vocabularies))

    # a cheap necessary condition first: in the common, leak-free case nothing is tokenized but the answers
    answers = [a for answers in task.expected.values() for a in answers] + [task.answer]
    suspects = [a for a in dict.fromkeys(answers) if all(map(could_occur, tokens(a)))]
    if not suspects:
        return []
    # the shown text is "\n".join([*texts, tools_json(task.tools)]); its tokens are joined from each text's and
    # each tool's (remembered), not read again from the whole text (`joined_tokens` says why that is the same)
    shown = joined_tokens([*map(tokenize, texts), *map(_tool_tokens, task.tools)])

    def casefolded() -> str:
        return "\n".join([*texts, tools_json(task.tools)]).casefold()

    return [f"answer {a!r} leaks into the question or tool documents" for a in suspects
            if tokens_match(a, shown, casefolded)]


def _outside(name: str, values: tuple[int, ...], bounds: tuple[int, int]) -> list[str]:
    return [f"{name} {v} outside {bounds[0]}-{bounds[1]}" for v in values if not bounds[0] <= v <= bounds[1]]


def structure_problems(task: Task, config: LevelConfig | None = None) -> list[str]:
    """Differences between the task's measured structure and its level's row of the table."""
    if config is None:
        if task.level is None:
            return ["the task has no level"]
        config = level_config(task.level)
    m = measure_task(task)
    problems = [] if m.scenario == config.scenario.value else [f"scenario {m.scenario} != {config.scenario.value}"]
    problems += _outside("branches", (len(m.chain_lengths),), config.branches)
    problems += _outside("chain length", m.chain_lengths, config.hops)
    problems += _outside("distractors", (m.distractors,), config.distractors)
    problems += _outside("params per tool", m.params_per_tool, config.params)
    problems += _outside("required params", m.required_per_tool, config.required)
    if m.sub_answers > config.max_sub_answers:
        problems.append(f"{m.sub_answers} sub-answers > {config.max_sub_answers}")
    if m.merged_tools < config.min_merged:
        problems.append(f"{m.merged_tools} merged tools < {config.min_merged}")
    if m.aggregated != (len(m.chain_lengths) > 1):
        problems.append("an aggregation must join exactly the tasks with several chains")
    if not m.param_types <= set(config.param_types):
        problems.append(f"parameter types {sorted(m.param_types - set(config.param_types))} not allowed")
    if config.near_duplicates != (m.near_duplicates > 0) and m.distractors:
        problems.append(f"near-duplicate distractors: {m.near_duplicates}, level wants "
                        f"{'some' if config.near_duplicates else 'none'}")
    return problems

"""Property tests of the reward: strict matching, the pending tracker, and the default preset's return bound."""

from __future__ import annotations

import string
from fractions import Fraction
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.models.calls import ParsedTurn, ParseIssue, ToolCall, ToolResult, canonical_json
from toolgym.models.task import Task
from toolgym.reward import Pending, Verifier, ftrl_match, strict_match
from toolgym.reward.matching import joined_tokens, tokenize

FAST = settings(max_examples=200, deadline=None)
EPS = 1e-9
MINIMAL_RETURN = 2.0  # sum of s/U0 over the episode (1) plus a correct answer with nothing pending (1)

# ---------------------------------------------------------------- strict_match

filler = st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=30)  # no digit at all
naturals = st.integers(min_value=0, max_value=10**9)
digits = st.integers(min_value=0, max_value=9)


def spellings(n: int) -> list[str]:
    """Ways a tool may print the integer n."""
    return [str(n), f"{n:,}", f"{n}.0", f"{n:,}.00", f"{n}.000"]


@FAST
@given(naturals, filler, filler, st.data())
def test_a_number_matches_any_spelling_of_itself(n, before, after, data):
    expected = data.draw(st.sampled_from(spellings(n)))
    shown = data.draw(st.sampled_from(spellings(n)))
    assert strict_match(expected, f"{before} {shown} {after}")


@FAST
@given(st.integers(1, 10**9), digits, st.integers(1, 9), filler, filler)
def test_a_number_never_matches_a_longer_one(n, d, nonzero, before, after):
    for other in (f"{n * 10 + d}", f"{nonzero}{n}", f"{n}.{d}{nonzero}", f"a{n}", f"{n * 10 + d:,}"):
        assert not strict_match(str(n), f"{before} {other} {after}"), other


@FAST
@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 28), filler)
def test_dates_are_one_token(year, month, day, before):
    text = f"{before} {year}-{month:02d}-{day:02d}"
    assert strict_match(f"{year}-{month:02d}-{day:02d}", text)
    for number in (-month, month, -day, day, year):
        assert not strict_match(str(number), text)


@FAST
@given(st.text(max_size=60))
def test_any_text_tokenises_and_contains_itself(text):
    assert strict_match(text, text)
    assert ftrl_match(text, text)


@FAST
@given(st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False), st.integers(0, 3))
def test_number_tokens_compare_by_value(value, zeros):
    plain = f"{value:f}" + ("0" * zeros if "." in f"{value:f}" else "")
    grouped = f"{value:,f}"
    assert strict_match(plain, f"total: {grouped} USD") and strict_match(grouped, f"total: {plain} USD")


words = st.text(st.sampled_from(string.ascii_letters), min_size=1, max_size=8)


@FAST
@given(st.lists(words, min_size=1, max_size=3), filler, filler, st.sampled_from([" ", "-", " - ", "  ", ", "]))
def test_words_match_case_insensitively_as_a_run(parts, before, after, joiner):
    expected = " ".join(parts)
    shown = joiner.join(p.swapcase() for p in parts)
    assert strict_match(expected, f"{before} {shown}. {after}")
    lowered = [p.lower() for p in parts]
    assert strict_match(expected, " ".join(reversed(parts))) == (lowered == lowered[::-1])  # order matters


# ---------------------------------------------------------------- Pending

small_values = st.sampled_from(["1", "2", "3"])  # few values, so duplicates are common
expected_maps = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.lists(small_values, max_size=4), max_size=3)
takes = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "z"]), small_values), max_size=12)


@FAST
@given(expected_maps, takes)
def test_pending_behaves_as_a_multiset_per_tool(expected, steps):
    model = {tool: Counter(values) for tool, values in expected.items()}
    pending = Pending(expected)
    total = pending.remaining
    solved = 0
    for tool, output in steps:
        before = pending
        pending, hit = pending.take(tool, output, lambda e, o: e == o)
        expected_hit = model.get(tool, Counter())[output] > 0
        assert (hit is not None) == expected_hit
        if hit is not None:
            assert hit == output and before.remaining == pending.remaining + 1
            model[tool][output] -= 1
            solved += 1
        else:
            assert pending is before
        assert pending.remaining == total - solved == sum(sum(c.values()) for c in model.values())
        assert pending.is_empty == (pending.remaining == 0)
        for name, counter in model.items():
            assert Counter(pending.for_tool(name)) == +counter
    assert Pending(expected).remaining == total  # the original was never mutated


# ---------------------------------------------------------------- the default preset's return

QUESTION_COUNT = 3        # a number of the question ("3 nights"), which a correct reply may repeat
ANSWER = 5678             # the final answer; sub-answers are drawn far from it so no candidate is allowed by chance
DISTRACTOR = "distractor"


def make_task(expected: dict[str, list[str]]) -> Task:
    names = [*expected, DISTRACTOR]
    question = f"What do {QUESTION_COUNT} nights cost?"
    return Task(id="p", question=question, messages=[{"role": "user", "content": question}],
                tools=[{"function": {"name": n}} for n in names], code={n: f"def {n}():\n    return 0" for n in names},
                expected=expected, answer=f"{ANSWER:,}", scenario="parallel_multi_hop")


@st.composite
def tasks_with_slots(draw, distinct: bool = True):
    """A task and its slots: (tool, sub-answer) pairs, one per sub-answer to obtain."""
    tools = draw(st.lists(st.sampled_from(["t0", "t1", "t2"]), min_size=1, max_size=6))
    values = st.integers(1000, 1999)
    answers = draw(st.lists(values, min_size=len(tools), max_size=len(tools), unique=distinct))
    slots = [(tool, str(value)) for tool, value in zip(tools, answers)]
    expected: dict[str, list[str]] = {}
    for tool, value in slots:
        expected.setdefault(tool, []).append(value)
    return make_task(expected), slots


def rendered(draw, value: str) -> str:
    """A tool output carrying `value`, in a random spelling and wrapping."""
    n = int(value)
    spelled = draw(st.sampled_from([str(n), f"{n:,}", f"{n}.0", f'"{n:,}.00"']))
    return draw(st.sampled_from([f'{{"value": {spelled}}}', f"The result is {spelled}.", spelled]))


# Calls a policy can make; only "solve" on a pending slot is useful.
CALL_KINDS = ["solve", "solve", "solve", "distractor", "exception", "error_text", "other_tool"]


def draw_call(draw, slots, tools) -> tuple[str, ToolCall, ToolResult]:
    kind = draw(st.sampled_from(CALL_KINDS))
    tool, value = draw(st.sampled_from(slots))
    if kind == "solve":
        return kind, ToolCall(tool), ToolResult(rendered(draw, value))
    if kind == "exception":  # even an error that quotes the sub-answer must not solve it
        return kind, ToolCall(tool), ToolResult(f"an error occured when call {tool}: {value}", "exception")
    if kind == "error_text":
        return kind, ToolCall(tool), ToolResult(f"Error: {value} is not valid")
    other = draw(st.sampled_from([t for t in tools if t != tool] or [DISTRACTOR]))
    if kind == "other_tool":  # the right text from the wrong tool
        return kind, ToolCall(other), ToolResult(rendered(draw, value))
    return kind, ToolCall(DISTRACTOR), ToolResult("nothing relevant")


FINAL_REPLIES = {
    "correct": [f"Final answer: {ANSWER:,}", f"\\boxed{{{ANSWER}}}", f"{QUESTION_COUNT} nights cost {ANSWER}.00 USD"],
    "wrong": [f"Final answer: {ANSWER + 1}", "I do not know", f"{ANSWER:,} or {ANSWER + 7:,}", ""],
}
issue = ParseIssue("<tool_call>{", "invalid JSON")


def _turn(calls, issues=()) -> tuple[ParsedTurn, list, list[str]]:
    """A turn from (kind, call, result) triples."""
    parsed = ParsedTurn("", tuple(call for _, call, _ in calls), tuple(issues))
    return parsed, [(call, result) for _, call, result in calls], [kind for kind, _, _ in calls]


def random_turns(draw, slots, tools) -> list:
    """Turns of random calls (with parse issues) and malformed turns."""
    turns = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 5)) == 0:
            turns.append((ParsedTurn("", (), (issue,)), [], "malformed"))
            continue
        calls = [draw_call(draw, slots, tools) for _ in range(draw(st.integers(1, 4)))]
        turns.append(_turn(calls, (issue,) * draw(st.sampled_from([0, 0, 0, 1, 2]))))
    return turns


def near_minimal_turns(draw, slots, tools) -> list:
    """The needed calls grouped into turns, then up to two edits: drop, repeat or add a call, add a parse issue."""
    order = draw(st.permutations(slots))
    calls = [("solve", ToolCall(tool), ToolResult(rendered(draw, value))) for tool, value in order]
    issues = 0
    for _ in range(draw(st.integers(0, 2))):
        edit = draw(st.sampled_from(["drop", "repeat", "add", "issue"]))
        if edit == "drop" and calls:
            calls.pop(draw(st.integers(0, len(calls) - 1)))
        elif edit == "repeat" and calls:
            calls.insert(draw(st.integers(0, len(calls))), draw(st.sampled_from(calls)))
        elif edit == "add":
            calls.insert(draw(st.integers(0, len(calls))), draw_call(draw, slots, tools))
        else:
            issues += 1
    sizes = draw(st.lists(st.integers(1, 3), min_size=len(calls), max_size=len(calls)))
    turns, i = [], 0
    for size in sizes:
        if i < len(calls):
            turns.append(_turn(calls[i:i + size]))
            i += size
    if issues:
        turns.insert(draw(st.integers(0, len(turns))), (ParsedTurn("", (), (issue,) * issues), [], "malformed"))
    return turns


@st.composite
def episodes(draw):
    """A task and a policy, random or close to a minimal solution, with a final reply (or none: truncated)."""
    task, slots = draw(tasks_with_slots())
    tools = sorted({tool for tool, _ in slots})
    near = draw(st.booleans())
    turns = (near_minimal_turns if near else random_turns)(draw, slots, tools)
    final = draw(st.sampled_from(["correct", "correct", "wrong", "none"] if near else ["correct", "wrong", "none"]))
    reply = None if final == "none" else draw(st.sampled_from(FINAL_REPLIES[final]))
    return task, slots, turns, final, reply


def play(task: Task, turns, reply: str | None) -> tuple[float, Verifier]:
    """The episode return under the default preset, stopping where the verifier ends the episode."""
    verifier = Verifier(task, "default")
    total = 0.0
    for parsed, results, _ in turns:
        score = verifier.score_turn(parsed, results)
        total += score.reward
        if score.ends_episode:
            return total, verifier
    if reply is not None:
        total += verifier.score_turn(ParsedTurn(reply), []).reward
    return total, verifier


def is_minimal(slots, turns, final: str) -> bool:
    """Every call a "solve" of a distinct slot, every slot covered, no parse issue, then a correct answer."""
    solves = []
    for parsed, results, kinds in turns:
        if kinds == "malformed" or parsed.issues or any(kind != "solve" for kind in kinds):
            return False
        solves += [(call.name, result.content) for call, result in results]
    return final == "correct" and len(solves) == len(slots) and _covers(slots, solves)


def _covers(slots, solves) -> bool:
    wanted = Counter(slots)
    for tool, content in solves:
        hit = next((s for s in wanted if s[0] == tool and wanted[s] and strict_match(s[1], content)), None)
        if hit is None:
            return False
        wanted[hit] -= 1
    return True


@settings(max_examples=400, deadline=None)
@given(episodes())
def test_default_return_is_largest_exactly_for_a_minimal_solution(episode):
    task, slots, turns, final, reply = episode
    total, _ = play(task, turns, reply)
    assert total <= MINIMAL_RETURN + EPS
    if is_minimal(slots, turns, final):
        assert abs(total - MINIMAL_RETURN) < EPS
    else:
        assert total < MINIMAL_RETURN - EPS


@st.composite
def minimal_solutions(draw):
    """A task (duplicate sub-answers allowed) and its needed calls in a random order and grouping into turns."""
    task, slots = draw(tasks_with_slots(distinct=False))
    order = draw(st.permutations(slots))
    cuts = sorted(draw(st.sets(st.integers(1, max(len(order) - 1, 1)), max_size=len(order))))
    groups = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)]) if order[a:b]]
    turns = []
    for group in groups:  # each call reads its own record: equal values come with distinct outputs
        pairs = [(ToolCall(tool), ToolResult(f"record {'abcdef'[len(turns)]}{i}: " + rendered(draw, value)))
                 for i, (tool, value) in enumerate(group)]
        turns.append((ParsedTurn("", tuple(call for call, _ in pairs)), pairs, ["solve"] * len(pairs)))
    return task, turns, draw(st.sampled_from(FINAL_REPLIES["correct"]))


@FAST
@given(minimal_solutions())
def test_any_grouping_of_the_needed_calls_returns_exactly_two(solution):
    task, turns, reply = solution
    total, verifier = play(task, turns, reply)
    assert total == MINIMAL_RETURN  # exactly: the float sum of the rewards is the exact return
    assert verifier.pending.is_empty and verifier.answer_correct
    assert verifier.metrics() == {"solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0}


def test_ftrl_solve_f1_pays_for_splitting_calls_across_turns():
    """Why the default preset exists: under the reference's solve_f1, the same two calls earn more one per turn."""
    task = make_task({"t0": ["1111", "2222"]})
    calls = [(ToolCall("t0"), ToolResult("1111")), (ToolCall("t0"), ToolResult("2222"))]

    def episode(preset: str, grouping: list[list[tuple[ToolCall, ToolResult]]]) -> float:
        verifier = Verifier(task, preset)
        turns = [verifier.score_turn(ParsedTurn("", tuple(c for c, _ in g)), g).reward for g in grouping]
        return sum(turns) + verifier.score_turn(ParsedTurn(f"{ANSWER}"), []).reward

    assert episode("ftrl", [calls]) == float(Fraction(2 * 2, 3) + 1)     # one turn: 2s/(n+1) = 4/3
    assert episode("ftrl", [calls[:1], calls[1:]]) == 2 * 1 / 2 * 2 + 1  # split: 1 + 1
    assert episode("default", [calls]) == episode("default", [calls[:1], calls[1:]]) == MINIMAL_RETURN


# ---------------------------------------------------------------- tokens of joined texts

# texts made to sit badly at a boundary: signs, dots, digits in threes, exponents, words, unicode minus, commas
tricky = st.text(st.sampled_from(list("0123456789.,-\u2212eE+:/ aZ_\u00e9{}[]\"\n")), max_size=14)


@FAST
@given(st.lists(tricky, max_size=6))
def test_tokens_of_texts_joined_by_newlines_join_their_tokens(texts):
    assert joined_tokens([tokenize(t) for t in texts]) == tokenize("\n".join(texts))


@FAST
@given(st.lists(st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.floats(allow_nan=False), tricky),
                                max_size=4), max_size=5), st.lists(tricky, max_size=3))
def test_tokens_of_json_objects_in_a_list_join_their_tokens(objects, texts):
    documents = [canonical_json(o) for o in objects]  # how tools_json lists tool documents
    whole = "\n".join([*texts, "[" + ",".join(documents) + "]"])
    assert joined_tokens([*map(tokenize, texts), *map(tokenize, documents)]) == tokenize(whole)

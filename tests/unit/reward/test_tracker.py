import pytest

from toolgym.reward.matching import ftrl_match
from toolgym.reward.tracker import Pending
from tests.unit.reward.tasks import make_task


def equal(expected: str, output: str) -> bool:
    return expected == output


def test_from_task_counts_the_multiset():
    pending = Pending.from_task(make_task({"a": ["1", "1"], "b": ["2"]}, "x"))
    assert pending.remaining == len(pending) == 3
    assert pending.for_tool("a") == ("1", "1")
    assert sorted(pending) == [("a", "1"), ("a", "1"), ("b", "2")]


def test_take_removes_the_first_match_only():
    pending = Pending({"a": ("1", "2", "1")})
    after, hit = pending.take("a", "1", equal)
    assert hit == "1"
    assert after.for_tool("a") == ("2", "1")
    assert pending.for_tool("a") == ("1", "2", "1")   # immutable: the original is untouched


def test_one_call_solves_at_most_one_answer():
    # "12, 13" in the output matches both "12" and "13" under ftrl, yet only the first pending one is solved
    after, hit = Pending({"a": ("12", "13")}).take("a", "12, 13", ftrl_match)
    assert (hit, after.for_tool("a")) == ("12", ("13",))


def test_take_only_under_the_calls_tool():
    pending = Pending({"a": ("1",), "b": ("2",)})
    after, hit = pending.take("a", "2", equal)
    assert hit is None and after is pending
    after, hit = pending.take("unknown", "1", equal)
    assert hit is None and after is pending


def test_solved_tool_disappears_and_tracker_empties():
    pending, _ = Pending({"a": ("1",)}).take("a", "1", equal)
    assert pending.is_empty and pending.remaining == 0
    assert "a" not in pending.by_tool and pending.for_tool("a") == ()
    assert pending == Pending({})


def test_empty_lists_are_dropped_and_view_is_read_only():
    pending = Pending({"a": [], "b": ["1"]})
    assert dict(pending.by_tool) == {"b": ("1",)}
    with pytest.raises(TypeError):
        pending.by_tool["c"] = ("2",)  # type: ignore[index]


def test_equality_and_hash():
    assert Pending({"a": ["1"]}) == Pending({"a": ("1",)})
    assert hash(Pending({"a": ["1"]})) == hash(Pending({"a": ("1",)}))
    assert Pending({"a": ["1", "2"]}) != Pending({"a": ["2", "1"]})  # order decides which one "first" is
    assert "Pending" in repr(Pending({"a": ["1"]}))

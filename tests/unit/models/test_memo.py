import gc

from toolgym.models.memo import IdentityMemo


def test_the_same_objects_hit_and_equal_but_distinct_objects_miss():
    memo: IdentityMemo[str] = IdentityMemo(size=8)
    a, twin = {"x": 1}, {"x": 1}
    assert memo.get("k", (a,), lambda: "first") == "first"
    assert memo.get("k", (a,), lambda: "again") == "first"
    assert memo.get("k", (twin,), lambda: "twin") == "twin"  # equal content, other object: its own entry
    assert memo.get("other key", (a,), lambda: "keyed") == "keyed"


def test_an_entry_keeps_its_objects_so_their_ids_are_never_reused_for_another():
    memo: IdentityMemo[int] = IdentityMemo(size=10_000)
    for n in range(2000):  # every dict is dropped by the caller at once; a reused id would return a stale value
        assert memo.get(None, ({"n": n},), lambda n=n: n) == n
        gc.collect(0)


def test_the_memo_stays_within_its_size():
    memo: IdentityMemo[int] = IdentityMemo(size=4)
    kept = [object() for _ in range(10)]
    for n, obj in enumerate(kept):
        memo.get(None, (obj,), lambda n=n: n)
        assert len(memo) <= 4
    assert memo.get(None, (kept[-1],), lambda: -1) == 9

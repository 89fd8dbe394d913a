"""Remembering what was computed from immutable objects that are too costly to hash by value.

Frozen models that hold dicts (a tool document's JSON Schema, a generated parameter) cannot be hashed, and
hashing them by value would cost about what a memo saves. Their identity is a sound key while they live, so every
entry holds on to its objects: an id in a live entry cannot be taken by another object. Generated tasks reuse the
same tool specs and parameters again and again, so remembering by identity is what makes their hashes, schemas and
validators cheap.

    >>> memo = IdentityMemo(size=8)
    >>> schema = {"type": "object"}
    >>> memo.get("name", (schema,), lambda: len(schema)) == memo.get("name", (schema,), lambda: -1)
    True
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

# The procedural generator's documents number about ten thousand over all 50 ids (a stream of one id uses a few
# hundred); each entry costs a few KB.
MEMO_SIZE = 8192


class IdentityMemo(Generic[V]):
    """Values remembered per (hashable key, objects compared by identity), at most `size` of them.

    Objects must not change once used as a key (frozen models: their dicts are never mutated). When full, the
    oldest entry makes room. Safe to share between threads: a racing thread may compute a value twice, and either
    result is kept.
    """

    __slots__ = ("_size", "_items", "_lock")

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._items: dict[tuple[Hashable, ...], tuple[tuple[object, ...], V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, objects: tuple[object, ...], make: Callable[[], V]) -> V:
        """The value remembered for (`key`, `objects`), or `make()`, remembered."""
        entry_key = (key, *map(id, objects))
        entry = self._items.get(entry_key)
        if entry is None:
            entry = (objects, make())  # holding `objects` keeps their ids theirs
            with self._lock:
                while len(self._items) >= self._size:  # the oldest entry goes first (dicts keep insertion order)
                    del self._items[next(iter(self._items))]
                self._items[entry_key] = entry
        return entry[1]

    def __len__(self) -> int:
        return len(self._items)

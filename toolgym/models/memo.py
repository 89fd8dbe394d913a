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

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Values remembered per (hashable key, objects compared by identity), at most `size` of them.

    Objects must not change once used as a key (frozen models: their dicts are never mutated). Safe to share
    between threads: a racing thread may compute a value twice, and either result is kept.
    """

    __slots__ = ("_size", "_items")

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[tuple[Hashable, ...], tuple[tuple[object, ...], V]] = {}

    def get(self, key: Hashable, objects: tuple[object, ...], make: Callable[[], V]) -> V:
        """The value remembered for (`key`, `objects`), or `make()`, remembered."""
        entry_key = (key, *map(id, objects))
        entry = self._items.get(entry_key)
        if entry is None:
            if len(self._items) >= self._size:
                self._items.clear()  # crude but thread-safe; a value is cheap to make again
            entry = self._items[entry_key] = (objects, make())  # holding `objects` keeps their ids theirs
        return entry[1]

    def __len__(self) -> int:
        return len(self._items)

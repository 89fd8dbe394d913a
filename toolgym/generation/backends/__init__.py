"""Generation backends behind the `Backend` protocol: `procedural` (default, offline, deterministic), and the
LLM-driven `llm` and `hybrid` in `backends.llm` (made with a client: `backends.llm.make_backend`)."""

from __future__ import annotations

from collections.abc import Callable

from toolgym.errors import UnknownNameError
from toolgym.generation.backend import Backend
from toolgym.generation.backends.procedural import ProceduralBackend

BACKENDS: dict[str, Callable[[], Backend]] = {"procedural": ProceduralBackend}


def get_backend(name: str) -> Backend:
    """A new backend by name (for `toolgym generate --backend NAME`)."""
    if name not in BACKENDS:
        raise UnknownNameError("generation backend", name, list(BACKENDS))
    return BACKENDS[name]()


__all__ = ["BACKENDS", "get_backend"]

"""The catalog: fixed evaluation sets shipped inside the wheel, one per registered id.

`envs_catalog/<version>/` (packaged as `toolgym/envs_catalog`) holds one gzipped JSONL file of test tasks per
`<domain>-L<level>` and a `manifest.json` recording how they were made: generator version, config, the indices
of every set and the content hash of every task. The test split is generated from its own seed space, so it is
disjoint from the train stream. `toolgym catalog build` regenerates it; `verify_catalog` checks that regenerating
from the manifest reproduces the shipped files byte for byte. Tasks whose content hash is in the manifest are
trusted (their code is toolgym's own): `is_trusted_hash`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from toolgym.errors import ToolgymError
from toolgym.models.io import load_tasks, save_tasks
from toolgym.models.task import Task

CATALOG_VERSION = "v1"
CATALOG_DIR = Path(__file__).parent / "envs_catalog" / CATALOG_VERSION
TASKS_PER_SET = 20
CATALOG_SEED = 0
LEVELS = (1, 2, 3, 4, 5)


def set_name(domain: str, level: int) -> str:
    return f"{domain}-L{level}"


@functools.lru_cache(maxsize=1)
def manifest(directory: Path = CATALOG_DIR) -> dict[str, Any]:
    """The catalog's manifest (cached)."""
    path = directory / "manifest.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ToolgymError(f"the catalog manifest {path} is missing: rebuild it with `toolgym catalog build`") \
            from None


@functools.lru_cache(maxsize=1)
def _trusted_hashes() -> frozenset[str]:
    try:
        sets = manifest()["sets"].values()
    except ToolgymError:
        return frozenset()
    return frozenset(h for s in sets for h in s["content_hashes"])


def is_trusted_hash(content_hash: str) -> bool:
    """True when a task with this content hash ships in toolgym's catalog (so its code is toolgym's own)."""
    return content_hash in _trusted_hashes()


@functools.lru_cache(maxsize=64)
def _load_set(domain: str, level: int) -> tuple[Task, ...]:
    entry = manifest()["sets"].get(set_name(domain, level))
    if entry is None:
        raise ToolgymError(f"the catalog has no test set for {set_name(domain, level)}; "
                           f"available: {', '.join(sorted(manifest()['sets']))}")
    return tuple(load_tasks(CATALOG_DIR / entry["file"]))


def test_tasks(domain: str, level: int) -> list[Task]:
    """The fixed evaluation set of `<domain>-L<level>`."""
    return list(_load_set(domain, level))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_catalog(directory: Path, *, domains: list[str] | None = None, levels: tuple[int, ...] = LEVELS,
                  tasks_per_set: int = TASKS_PER_SET, seed: int = CATALOG_SEED) -> dict[str, Any]:
    """Generate every test set into `directory` and write its manifest; return the manifest."""
    from toolgym.generation import GENERATOR_VERSION, domain_names, generate_tasks

    directory.mkdir(parents=True, exist_ok=True)
    domains = list(domains or domain_names())
    sets: dict[str, Any] = {}
    for domain in domains:
        for level in levels:
            tasks = generate_tasks(domain, level, tasks_per_set, seed=seed, split="test", replay=True)
            path = save_tasks(tasks, directory / f"{set_name(domain, level)}.jsonl.gz")
            sets[set_name(domain, level)] = {"file": path.name, "domain": domain, "level": level,
                                             "indices": list(range(tasks_per_set)),
                                             "content_hashes": [t.content_hash for t in tasks],
                                             "sha256": _sha256(path), "stats": _stats(tasks)}
    data = {"catalog_version": CATALOG_VERSION, "generator": "procedural", "generator_version": GENERATOR_VERSION,
            "config": {"split": "test", "seed": seed, "tasks_per_set": tasks_per_set, "domains": domains,
                       "levels": list(levels)},
            "sets": sets}
    (directory / "manifest.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return data


def _stats(tasks: list[Task]) -> dict[str, Any]:
    """What `toolgym list` shows: the scenario mix, tool counts and sub-answer counts of a set."""
    tools = [len(t.tools) for t in tasks]
    return {"scenarios": {k: sum(t.scenario.value == k for t in tasks)
                          for k in sorted({t.scenario.value for t in tasks})},
            "tools": [min(tools), max(tools)], "tools_mean": round(sum(tools) / len(tools), 2),
            "sub_answers_mean": round(sum(t.num_expected for t in tasks) / len(tasks), 2)}


def verify_catalog(directory: Path = CATALOG_DIR, scratch: Path | None = None) -> list[str]:
    """Regenerate the catalog from its manifest into `scratch` and list every file that differs (empty: same)."""
    import tempfile

    shipped = json.loads((directory / "manifest.json").read_text())
    config = shipped["config"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(scratch or tmp)
        build_catalog(out, domains=config["domains"], levels=tuple(config["levels"]),
                      tasks_per_set=config["tasks_per_set"], seed=config["seed"])
        names = ["manifest.json", *(s["file"] for s in shipped["sets"].values())]
        return [n for n in names if not (out / n).exists() or (out / n).read_bytes() != (directory / n).read_bytes()]

"""The catalog: fixed evaluation sets shipped inside the wheel, one per registered id.

`envs_catalog/<version>/` (packaged as `toolgym/envs_catalog`) holds one gzipped JSONL file of test tasks per
`<domain>-L<level>` and a `manifest.json` recording how they were made: generator version, config, the indices
of every set, the content hash of every task and the sha256 of every file. The test split is generated from its
own seed space, so it is disjoint from the train stream. `toolgym catalog build` regenerates it.

A new generator version ships as a new catalog version; the registered ids' test sets come from the newest
(`CATALOG_VERSION`), and older ones stay loadable (`test_tasks(..., version="v1")`) and verifiable:
`verify_catalog` regenerates a catalog made by the current generator and compares it byte for byte; a catalog of
an older generator (which this code can no longer regenerate) is verified by its manifest instead: every file's
sha256, every task's content hash, and a replay of every task's gold plan. Tasks whose content hash is in any
shipped manifest are trusted (their code is toolgym's own): `is_trusted_hash`.
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

CATALOG_ROOT = Path(__file__).parent / "envs_catalog"
CATALOG_VERSION = "v3"
CATALOG_VERSIONS = ("v1", "v2", "v3")  # every shipped version, oldest first
CATALOG_DIR = CATALOG_ROOT / CATALOG_VERSION
TASKS_PER_SET = 20
CATALOG_SEED = 0
LEVELS = (1, 2, 3, 4, 5)


def catalog_dir(version: str = CATALOG_VERSION) -> Path:
    """The directory of a shipped catalog version; raises `ToolgymError` naming the shipped ones."""
    if version not in CATALOG_VERSIONS:
        raise ToolgymError(f"no catalog version {version!r}; shipped: {', '.join(CATALOG_VERSIONS)}")
    return CATALOG_ROOT / version


def set_name(domain: str, level: int) -> str:
    return f"{domain}-L{level}"


@functools.lru_cache(maxsize=8)
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
    hashes: set[str] = set()
    for version in CATALOG_VERSIONS:
        try:
            sets = manifest(catalog_dir(version))["sets"].values()
        except ToolgymError:
            continue
        hashes.update(h for s in sets for h in s["content_hashes"])
    return frozenset(hashes)


def is_trusted_hash(content_hash: str) -> bool:
    """True when a task with this content hash ships in toolgym's catalog (so its code is toolgym's own)."""
    return content_hash in _trusted_hashes()


@functools.lru_cache(maxsize=256)
def _load_set(domain: str, level: int, version: str) -> tuple[Task, ...]:
    directory = catalog_dir(version)
    sets = manifest(directory)["sets"]
    entry = sets.get(set_name(domain, level))
    if entry is None:
        raise ToolgymError(f"the {version} catalog has no test set for {set_name(domain, level)}; "
                           f"available: {', '.join(sorted(sets))}")
    return tuple(load_tasks(directory / entry["file"]))


def test_tasks(domain: str, level: int, version: str = CATALOG_VERSION) -> list[Task]:
    """The fixed evaluation set of `<domain>-L<level>` (of catalog `version`, by default the newest)."""
    return list(_load_set(domain, level, version))


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
    """List every file of the catalog in `directory` that fails verification (empty: verified). A catalog of the
    current generator is regenerated from its manifest into `scratch` and compared byte for byte; one of an older
    generator is checked against its manifest and replayed (`verify_frozen_catalog`)."""
    from toolgym.generation import GENERATOR_VERSION

    shipped = json.loads((directory / "manifest.json").read_text())
    if shipped.get("generator_version") != GENERATOR_VERSION:
        return verify_frozen_catalog(directory)
    return _verify_by_regeneration(directory, shipped, scratch)


def _verify_by_regeneration(directory: Path, shipped: dict[str, Any], scratch: Path | None) -> list[str]:
    import tempfile

    config = shipped["config"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(scratch or tmp)
        build_catalog(out, domains=config["domains"], levels=tuple(config["levels"]),
                      tasks_per_set=config["tasks_per_set"], seed=config["seed"])
        names = ["manifest.json", *(s["file"] for s in shipped["sets"].values())]
        return [n for n in names if not (out / n).exists() or (out / n).read_bytes() != (directory / n).read_bytes()]


def verify_frozen_catalog(directory: Path) -> list[str]:
    """Verify a catalog without regenerating it: each set file's sha256 is the manifest's, its tasks' content
    hashes are the manifest's (in order), and every task's gold plan replays. Lists the failing files."""
    from toolgym.generation.checks import replay_problems

    shipped = json.loads((directory / "manifest.json").read_text())
    failing = []
    for entry in shipped["sets"].values():
        path = directory / entry["file"]
        if not path.exists() or _sha256(path) != entry["sha256"]:
            failing.append(entry["file"])
            continue
        try:
            tasks = load_tasks(path)  # its bytes are the manifest's: its code is toolgym's own, run in-process
        except ToolgymError:  # a record that no longer validates (a hash that does not match its content)
            failing.append(entry["file"])
            continue
        if [t.content_hash for t in tasks] != entry["content_hashes"] or any(replay_problems(t) for t in tasks):
            failing.append(entry["file"])
    return failing

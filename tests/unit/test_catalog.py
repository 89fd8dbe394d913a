import json

import pytest

from toolgym import catalog


@pytest.mark.slow  # regenerates all 3,200 tasks of the shipped catalog
def test_catalog_regenerates_byte_for_byte():
    assert catalog.verify_catalog() == []


def test_manifest_describes_every_set():
    from toolgym.generation import GENERATOR_VERSION, domain_names

    data = catalog.manifest()
    assert data["config"]["split"] == "test" and len(data["sets"]) == 5 * len(domain_names())
    assert data["catalog_version"] == catalog.CATALOG_VERSION and data["generator_version"] == GENERATOR_VERSION
    for name, entry in data["sets"].items():
        tasks = catalog.test_tasks(entry["domain"], entry["level"])
        assert [t.content_hash for t in tasks] == entry["content_hashes"]
        assert all(t.split == "test" for t in tasks)
        assert catalog.is_trusted_hash(tasks[0].content_hash)
    assert not catalog.is_trusted_hash("0" * 64)


def test_tampered_catalog_is_detected(tmp_path):
    for path in catalog.CATALOG_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["config"]["domains"] = ["travel"]
    manifest["sets"] = {"travel-L1": manifest["sets"]["travel-L1"]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    (tmp_path / "travel-L1.jsonl.gz").write_bytes(b"\x1f\x8b tampered")
    assert "travel-L1.jsonl.gz" in catalog.verify_catalog(tmp_path)


def test_unknown_set():
    with pytest.raises(catalog.ToolgymError, match="no test set for travel-L9"):
        catalog.test_tasks("travel", 9)
    with pytest.raises(catalog.ToolgymError, match="no catalog version 'v0'; shipped: v1, v2, v3"):
        catalog.test_tasks("travel", 1, version="v0")


def _copy_v1(tmp_path, names):
    """The v1 catalog restricted to the sets `names` (a verification of all of it replays 1,000 tasks)."""
    source = catalog.catalog_dir("v1")
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["sets"] = {n: manifest["sets"][n] for n in names}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    for n in names:
        (tmp_path / manifest["sets"][n]["file"]).write_bytes((source / manifest["sets"][n]["file"]).read_bytes())
    return manifest


def test_the_previous_catalog_stays_loadable_trusted_and_verifiable(tmp_path):
    old = catalog.test_tasks("travel", 3, version="v1")
    assert len(old) == 20 and all(catalog.is_trusted_hash(t.content_hash) for t in old)
    assert old[0].provenance.version == "0.1.0" and old[0] != catalog.test_tasks("travel", 3)[0]
    manifest = _copy_v1(tmp_path, ["travel-L1", "food-L5"])
    assert manifest["generator_version"] == "0.1.0" and catalog.verify_catalog(tmp_path) == []
    (tmp_path / "food-L5.jsonl.gz").write_bytes(b"\x1f\x8b tampered")
    assert catalog.verify_catalog(tmp_path) == ["food-L5.jsonl.gz"]


def test_a_frozen_catalog_whose_tasks_no_longer_replay_fails(tmp_path):
    from toolgym.models.io import save_tasks

    manifest = _copy_v1(tmp_path, ["travel-L2"])
    tasks = catalog.test_tasks("travel", 2, version="v1")
    broken = tasks[0].model_copy(update={"expected": {k: ("nowhere",) * len(v) for k, v in tasks[0].expected.items()},
                                         "content_hash": tasks[0].content_hash})
    path = save_tasks([broken, *tasks[1:]], tmp_path / "travel-L2.jsonl.gz")
    manifest["sets"]["travel-L2"]["sha256"] = catalog._sha256(path)  # a consistent manifest, a wrong task
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert catalog.verify_catalog(tmp_path) == ["travel-L2.jsonl.gz"]


def test_readme_level_table_is_the_generator_table():
    from pathlib import Path

    from toolgym.generation import format_level_table

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("<!-- level-table -->")[1].split("<!-- /level-table -->")[0].strip()
    assert table == format_level_table().strip()

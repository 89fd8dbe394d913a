import json

import pytest

from toolgym import catalog


def test_catalog_regenerates_byte_for_byte():
    assert catalog.verify_catalog() == []


def test_manifest_describes_every_set():
    data = catalog.manifest()
    assert data["config"]["split"] == "test" and len(data["sets"]) == 50
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


def test_readme_level_table_is_the_generator_table():
    from pathlib import Path

    from toolgym.generation import format_level_table

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("<!-- level-table -->")[1].split("<!-- /level-table -->")[0].strip()
    assert table == format_level_table().strip()

"""The hybrid generation backend against a real model: SmolLM2-135M-Instruct behind `transformers serve` on
127.0.0.1 (offline, CPU). A model this small often writes something unusable; what must hold is that every kept
task is verifiable (the gold replay reproduces every answer, no answer leaks, every entity the first calls need is
named in the question) and that every rejection is counted in the manifest."""

import json

import pytest

from tests.fixtures.extras import require
from tests.fixtures.model_server import transformers_serve
from toolgym.cli import main
from toolgym.cli.commands import task_problems
from toolgym.models import load_tasks

pytestmark = pytest.mark.slow
DOMAINS, LEVELS, N = "travel", "1,2", 1


@pytest.fixture(scope="module")
def served_smollm2():
    require("openai")
    require("transformers")
    require("gguf")
    require("fastapi")
    from toolgym.rollout.local_models import model_dir
    path = model_dir("smollm2-135m")
    with transformers_serve(path) as base_url:
        yield base_url, str(path)


def test_hybrid_generation_with_smollm2_keeps_only_verifiable_tasks(served_smollm2, tmp_path, capsys):
    base_url, model = served_smollm2
    out = tmp_path / "tasks.jsonl"
    assert main(["generate", "--backend", "hybrid", "--base-url", base_url, "--model", model, "--domains", DOMAINS,
                 "--levels", LEVELS, "--n", str(N), "--max-tokens", "96", "--concurrency", "2",
                 "--max-attempts", "1", "--format-retries", "1", "--timeout", "300", "--out", str(out)]) == 0
    manifest = json.loads((tmp_path / "tasks.jsonl.manifest.json").read_text())
    counts, tasks = manifest["counts"], load_tasks(out)
    print(json.dumps({"counts": counts, "rejections": manifest["rejections"], "usage": manifest["usage"]}))
    assert counts["requested"] == 2 * N and counts["kept"] == len(tasks)
    assert counts["kept"] + counts["dropped"] + counts["duplicates"] == counts["requested"]
    assert sum(manifest["rejections"].values()) == counts["rejected_attempts"]
    if counts["dropped"]:
        assert manifest["rejections"], "a dropped task has its rejection reasons counted"
    assert manifest["usage"]["requests"] > 0 and manifest["usage"]["prompt_tokens"] > 0
    assert manifest["model"] == model and "rewrite_question" in manifest["prompt_versions"]
    for task in tasks:
        assert task_problems(task) == [], task.id  # gold replay, no leak, the env check
        for call in task.gold_plan[0]:  # the first calls' subjects are named in the question
            subject = next(iter(call.arguments.values()))
            assert str(subject).casefold() in task.question.casefold(), (task.question, subject)
    capsys.readouterr()
    if tasks:
        assert main(["validate", str(out)]) == 0

"""The LLM generation backends against a real model: SmolLM2-135M-Instruct behind `transformers serve` on
127.0.0.1 (offline, CPU). A model this small often writes something unusable; what must hold is that every kept
task is verifiable (the gold replay reproduces every answer, no answer leaks, every entity the first calls need is
named in the question) and that every rejection and every fallback to procedural wording is counted in the
manifest."""

import json

import pytest

from tests.fixtures.extras import require
from tests.fixtures.model_server import transformers_serve
from toolgym.cli import main
from toolgym.cli.commands import task_problems
from toolgym.generation import generate_task
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


def run(backend, served, out, levels, *extra):
    base_url, model = served
    code = main(["generate", "--backend", backend, "--base-url", base_url, "--model", model, "--domains", DOMAINS,
                 "--levels", levels, "--n", str(N), "--concurrency", "2", "--max-attempts", "1", "--timeout", "600",
                 "--out", str(out), *extra])
    manifest = json.loads(open(str(out) + ".manifest.json").read())
    counts, tasks = manifest["counts"], load_tasks(out)
    print(json.dumps({k: manifest.get(k) for k in ("counts", "rejections", "rewrites", "usage")}))
    assert code == 0 and manifest["stopped"] is None
    assert counts["requested"] == len(levels.split(",")) * N and counts["kept"] == len(tasks)
    assert counts["kept"] + counts["dropped"] + counts["duplicates"] == counts["requested"]
    assert sum(manifest["rejections"].values()) == counts["rejected_attempts"]
    if counts["dropped"]:
        assert manifest["rejections"], "a dropped task has its rejection reasons counted"
    assert manifest["usage"]["requests"] > 0 and manifest["usage"]["prompt_tokens"] > 0
    assert manifest["model"] == model and manifest["structured_output"]  # transformers serve takes the field
    for task in tasks:
        assert task.provenance.generator == backend
        assert task_problems(task) == [], task.id  # gold replay, no leak, the env check
        for call in task.gold_plan[0]:  # the first calls' subjects are named in the question
            subject = next(iter(call.arguments.values()))
            assert str(subject).casefold() in task.question.casefold(), (task.question, subject)
    return manifest, tasks


def test_hybrid_generation_with_smollm2_keeps_only_verifiable_tasks(served_smollm2, tmp_path, capsys):
    out = tmp_path / "tasks.jsonl"
    manifest, tasks = run("hybrid", served_smollm2, out, LEVELS, "--max-tokens", "96", "--format-retries", "1")
    rewrites = manifest["rewrites"]
    # every attempt's question is counted once: rewritten, or kept in its procedural wording
    assert rewrites.get("question_rewritten", 0) + rewrites.get("question_procedural", 0) == \
        manifest["counts"]["rejected_attempts"] + len(tasks)
    for task in tasks:  # a kept task has at least one text of the model's (one attempt: the skeleton is this)
        procedural = generate_task(task.domain, task.level, index=task.provenance.index, seed=0)
        assert task.question != procedural.question or [t.function.description for t in task.tools] != \
            [t.function.description for t in procedural.tools]
    if tasks:
        capsys.readouterr()
        assert main(["validate", str(out)]) == 0


def test_llm_generation_with_smollm2_keeps_only_verifiable_tasks(served_smollm2, tmp_path, capsys):
    """The model writes everything here (one L1 task, one attempt: at this size it mostly fails stage 1's checks,
    counted); whatever it keeps was replayed in the sandbox."""
    out = tmp_path / "tasks.jsonl"
    manifest, tasks = run("llm", served_smollm2, out, "1", "--max-tokens", "256", "--format-retries", "0",
                          "--repair-rounds", "1")
    if tasks:
        capsys.readouterr()
        assert main(["validate", str(out)]) == 0

